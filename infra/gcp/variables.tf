variable "project" {
  description = "The GCP project id whose audit logs tokentrail reads and where it runs."
  type        = string
}

variable "region" {
  description = "Region for the functions, the scheduler job and the function source bucket."
  type        = string
  default     = "us-central1"
}

variable "dataset" {
  description = "BigQuery dataset for the events, quarantine and alerts tables and the views."
  type        = string
  default     = "tokentrail"
  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]{0,1023}$", var.dataset))
    error_message = "A dataset name is letters, digits and underscores."
  }
}

variable "bigquery_location" {
  description = "BigQuery dataset location (fixed once the dataset exists)."
  type        = string
  default     = "US"
}

variable "function_source_zip" {
  description = "Path to the zip of the built Cloud Functions bundle (package.json and the compiled entry points)."
  type        = string
}

variable "webhook_secret_id" {
  description = "Secret Manager secret id (not its value) holding the chat webhook URL; null sends no chat alerts (they are still recorded in the alerts table)."
  type        = string
  default     = null
  validation {
    condition     = var.webhook_secret_id == null || can(regex("^[A-Za-z0-9_-]{1,255}$", var.webhook_secret_id))
    error_message = "webhook_secret_id is the secret's short id in this project (e.g. tokentrail-webhook), not projects/.../secrets/..."
  }
}

variable "webhook_kind" {
  description = "Which chat the webhook secret is for."
  type        = string
  default     = "slack"
  validation {
    condition     = contains(["slack", "googlechat", "teams"], var.webhook_kind)
    error_message = "webhook_kind is slack, googlechat or teams."
  }
}

variable "alert_schedule" {
  description = "Cron schedule (UTC) of the scheduled detection."
  type        = string
  default     = "*/15 * * * *"
}

variable "detect_lookback" {
  description = "How far back in event time each scheduled detection looks (TOKENTRAIL_LOOKBACK); keep it well above the schedule's interval so late events are still judged."
  type        = string
  default     = "2h"
}

variable "policy_path" {
  description = "Path of the policy file inside the function bundle (TOKENTRAIL_POLICY); null runs the rules that need no policy."
  type        = string
  default     = null
}

variable "max_delivery_attempts" {
  description = "Deliveries of one Pub/Sub message to the ingest function before it moves to the dead-letter topic (5 to 100)."
  type        = number
  default     = 10
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub accepts 5 to 100 delivery attempts."
  }
}

variable "enable_audit_log_triggers" {
  description = "Also deploy tokentrail-ingest-audit-log with one Eventarc audit-log trigger per audited method. The Log Router sink already delivers the same entries (stored once: the event id is the same), so this only doubles invocations, and its Eventarc-managed subscriptions cannot get a dead-letter topic from Terraform."
  type        = bool
  default     = false
}

variable "audit_log_trigger_location" {
  description = "Eventarc location of the audit-log triggers; global receives the global services (STS, IAM) and buckets in every location."
  type        = string
  default     = "global"
}

variable "ingress_settings" {
  description = "Network ingress of the functions. Pub/Sub, Eventarc and Cloud Scheduler in the same project count as internal; IAM (run.invoker) is enforced either way."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"
  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress_settings)
    error_message = "ingress_settings is ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "storage_audit_exempted_members" {
  description = "Principals whose Cloud Storage data access is not logged (e.g. a busy batch job's service account), to bound Data Access log volume. Their access is then invisible to tokentrail."
  type        = list(string)
  default     = []
}

variable "allow_data_deletion" {
  description = "false keeps the tables from being deleted (terraform destroy stops at them); set true and apply before a destroy that should delete the dataset and every row in it."
  type        = bool
  default     = false
}
