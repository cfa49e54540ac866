# Three service accounts, no keys: the functions run as one, triggers and pushes authenticate as
# another, Cloud Build builds the functions as a third.

# What the functions run as: write and query the dataset, read the webhook secret. Nothing else.
resource "google_service_account" "functions" {
  account_id   = "tokentrail-functions"
  display_name = "tokentrail functions (runtime)"
  depends_on   = [google_project_service.apis]
}

resource "google_bigquery_dataset_iam_member" "functions_data_editor" {
  dataset_id = google_bigquery_dataset.tokentrail.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.functions.member
}

# Query jobs (detection, the alerts MERGE) run in the project; the data they touch is the dataset above.
resource "google_project_iam_member" "functions_job_user" {
  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.functions.member
}

resource "google_secret_manager_secret_iam_member" "functions_webhook_secret" {
  count     = var.webhook_secret_id == null ? 0 : 1
  project   = var.project
  secret_id = var.webhook_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.functions.member
}

# The identity Pub/Sub pushes, Eventarc triggers and the schedule trigger call the functions with.
resource "google_service_account" "invoker" {
  account_id   = "tokentrail-invoker"
  display_name = "tokentrail triggers (invokes the functions)"
  depends_on   = [google_project_service.apis]
}

resource "google_project_iam_member" "invoker_event_receiver" {
  project = var.project
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.invoker.member
}

resource "google_cloud_run_service_iam_member" "invoker_ingest_pubsub" {
  location = google_cloudfunctions2_function.ingest_pubsub.location
  service  = google_cloudfunctions2_function.ingest_pubsub.name
  role     = "roles/run.invoker"
  member   = google_service_account.invoker.member
}

resource "google_cloud_run_service_iam_member" "invoker_ingest_audit_log" {
  count    = var.enable_audit_log_triggers ? 1 : 0
  location = google_cloudfunctions2_function.ingest_audit_log[0].location
  service  = google_cloudfunctions2_function.ingest_audit_log[0].name
  role     = "roles/run.invoker"
  member   = google_service_account.invoker.member
}

resource "google_cloud_run_service_iam_member" "invoker_scheduled_detect" {
  location = google_cloudfunctions2_function.scheduled_detect.location
  service  = google_cloudfunctions2_function.scheduled_detect.name
  role     = "roles/run.invoker"
  member   = google_service_account.invoker.member
}

# Pub/Sub mints the OIDC token of each push as the invoker (needed explicitly in projects created
# before April 2021; harmless after).
resource "google_service_account_iam_member" "pubsub_signs_push_tokens" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# Cloud Build builds the functions as this account instead of the Compute Engine default one, which
# new organisations no longer give any role. The three roles are the documented minimum for a
# Cloud Functions build account: write build logs, read the uploaded source, push the image.
resource "google_service_account" "build" {
  account_id   = "tokentrail-build"
  display_name = "tokentrail function builds"
  depends_on   = [google_project_service.apis]
}

resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/storage.objectViewer", "roles/artifactregistry.writer"])
  project  = var.project
  role     = each.value
  member   = google_service_account.build.member
}
