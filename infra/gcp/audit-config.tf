# Token exchanges, impersonation and bucket reads are Data Access audit logs, which are off by
# default: without these the sink and the Eventarc triggers receive nothing but SetIAMPolicy (an Admin
# Activity log, always on). Data Access logs are billed as Cloud Logging ingestion (see README).
#
# A google_project_iam_audit_config owns its service's whole config in the project: one set elsewhere
# (or in the console) for the same service is overwritten on the next apply.

resource "google_project_iam_audit_config" "sts" {
  project = var.project
  service = "sts.googleapis.com"
  audit_log_config {
    log_type = "ADMIN_READ" # ExchangeToken
  }
}

resource "google_project_iam_audit_config" "iamcredentials" {
  project = var.project
  service = "iamcredentials.googleapis.com"
  audit_log_config {
    log_type = "ADMIN_READ" # GenerateAccessToken, GenerateIdToken, SignJwt, SignBlob
  }
}

# Google documents that Service Account Credentials Data Access logs cannot be enabled on their own,
# only through the IAM API's (or all services'): this is what actually turns them on.
resource "google_project_iam_audit_config" "iam" {
  project = var.project
  service = "iam.googleapis.com"
  audit_log_config {
    log_type = "ADMIN_READ"
  }
}

resource "google_project_iam_audit_config" "storage" {
  project = var.project
  service = "storage.googleapis.com"
  audit_log_config {
    log_type         = "DATA_READ" # objects.get, objects.list
    exempted_members = var.storage_audit_exempted_members
  }
  audit_log_config {
    log_type         = "DATA_WRITE" # objects.create, objects.delete
    exempted_members = var.storage_audit_exempted_members
  }
}
