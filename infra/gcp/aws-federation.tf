# AWS -> GCP workload identity federation for tokentrail's Lambdas: the Lambdas write to BigQuery
# as the service account tokentrail-lambda, which only sessions of their own execution roles may
# impersonate. No service account key exists: the Lambda signs an AWS STS GetCallerIdentity
# request with its role's temporary credentials and Google STS trades it for a federated token.
#
# The credential config the Lambda reads is the output lambda_credential_config; it holds no
# secret. After apply:
#   terraform output -raw lambda_credential_config > ../../gcp-wif-credentials.json
#
# var.project and var.dataset are declared in variables.tf.

variable "aws_account_id" {
  description = "The 12-digit AWS account the tokentrail Lambdas run in."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be the 12-digit AWS account number."
  }
}

variable "aws_lambda_role_names" {
  description = "Names (not ARNs, no path) of the IAM execution roles of the tokentrail Lambdas, serverless.yml names them tokentrail-STAGE-REGION-{eventbridge,files,cwlogs,detect}, e.g. [\"tokentrail-prod-us-east-1-eventbridge\", \"tokentrail-prod-us-east-1-files\", \"tokentrail-prod-us-east-1-cwlogs\", \"tokentrail-prod-us-east-1-detect\"]. Only sessions of these roles can reach BigQuery."
  type        = list(string)

  validation {
    condition = length(var.aws_lambda_role_names) > 0 && alltrue([
      for name in var.aws_lambda_role_names : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", name))
    ])
    error_message = "aws_lambda_role_names must list at least one IAM role name (letters, digits, +=,.@_- and at most 64 characters)."
  }
}

variable "aws_federation_pool_id" {
  description = "ID of the workload identity pool. A deleted pool keeps its ID for 30 days, so change this to recreate one sooner."
  type        = string
  default     = "tokentrail-aws"
}

resource "google_project_service" "aws_federation" {
  for_each = toset(["iam.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com"])

  project            = var.project
  service            = each.value
  disable_on_destroy = false
}

resource "google_iam_workload_identity_pool" "aws" {
  project                   = var.project
  workload_identity_pool_id = var.aws_federation_pool_id
  display_name              = "tokentrail AWS Lambdas"
  description               = "AWS account ${var.aws_account_id}: tokentrail's ingest Lambdas"

  depends_on = [google_project_service.aws_federation]
}

resource "google_iam_workload_identity_pool_provider" "aws" {
  project                            = var.project
  workload_identity_pool_id          = google_iam_workload_identity_pool.aws.workload_identity_pool_id
  workload_identity_pool_provider_id = "aws-lambda"
  display_name                       = "tokentrail Lambda roles"

  aws {
    account_id = var.aws_account_id
  }

  # assertion.arn is the caller of the signed GetCallerIdentity:
  # arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION_NAME for a Lambda. google.subject is limited
  # to 127 bytes, which role and function names of up to 40 characters each stay well under.
  attribute_mapping = {
    "google.subject"     = "assertion.arn"
    "attribute.aws_role" = "assertion.arn.extract('assumed-role/{role}/')"
  }

  # Only sessions of the Lambda execution roles get a token at all (the aws block already limits
  # the account); anything else in the account, users and other roles alike, is refused by STS.
  attribute_condition = "assertion.arn.startsWith('arn:aws:sts::${var.aws_account_id}:assumed-role/') && attribute.aws_role in ${jsonencode(var.aws_lambda_role_names)}"
}

resource "google_service_account" "lambda" {
  project      = var.project
  account_id   = "tokentrail-lambda"
  display_name = "tokentrail Lambdas (AWS, federated)"
  description  = "Impersonated by the tokentrail Lambda roles through the ${var.aws_federation_pool_id} pool; it has no keys."
}

# One grant per role, each scoped to that role's principalSet. Never the whole pool
# (principalSet://.../POOL/*): that is the grant tokentrail's whole-pool rule alerts on.
resource "google_service_account_iam_member" "lambda_role_impersonates" {
  for_each = toset(var.aws_lambda_role_names)

  service_account_id = google_service_account.lambda.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.aws.name}/attribute.aws_role/${each.value}"
}

# insertAll into events and quarantine, DML on alerts. The dataset must exist first (variables.tf
# names it; apply it together with the dataset resource).
resource "google_bigquery_dataset_iam_member" "lambda_writes_dataset" {
  project    = var.project
  dataset_id = var.dataset
  role       = "roles/bigquery.dataEditor"
  member     = "serviceAccount:${google_service_account.lambda.email}"
  depends_on = [google_bigquery_dataset.tokentrail]
}

# Query jobs (the alert book's DML, detection queries) run in the project.
resource "google_project_iam_member" "lambda_runs_jobs" {
  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = "serviceAccount:${google_service_account.lambda.email}"
}

output "aws_workload_identity_provider" {
  description = "Resource name of the AWS provider; the credential config's audience is //iam.googleapis.com/ followed by it."
  value       = google_iam_workload_identity_pool_provider.aws.name
}

output "lambda_service_account_email" {
  description = "The service account the Lambdas impersonate."
  value       = google_service_account.lambda.email
}

# The same document as awsCredentialConfig() in shared/adapters/gcp-auth/aws-credential-config.ts
# (a test keeps the two equal). google-auth-library reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_SESSION_TOKEN and AWS_REGION from the Lambda's environment, so no metadata URLs are needed.
output "lambda_credential_config" {
  description = "google-auth-library external_account config for the Lambdas (no secret in it): save it as gcp-wif-credentials.json next to serverless.yml."
  value = jsonencode({
    type                              = "external_account"
    audience                          = "//iam.googleapis.com/${google_iam_workload_identity_pool_provider.aws.name}"
    subject_token_type                = "urn:ietf:params:aws:token-type:aws4_request"
    token_url                         = "https://sts.googleapis.com/v1/token"
    service_account_impersonation_url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${google_service_account.lambda.email}:generateAccessToken"
    credential_source = {
      environment_id                 = "aws1"
      regional_cred_verification_url = "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
    }
  })
}
