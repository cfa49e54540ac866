# The Log Router sink publishes each matching audit LogEntry here (log-sink.tf).
resource "google_pubsub_topic" "audit_logs" {
  name       = "tokentrail-audit-logs"
  depends_on = [google_project_service.apis]
}

# Messages the ingest function failed on max_delivery_attempts times. Kept on the subscription below
# for 7 days, to read with `gcloud pubsub subscriptions pull` and replay through the ingest topic.
resource "google_pubsub_topic" "dead_letter" {
  name       = "tokentrail-audit-logs-dead-letter"
  depends_on = [google_project_service.apis]
}

# A topic with no subscription drops what it receives: this one holds the dead letters.
resource "google_pubsub_subscription" "dead_letter" {
  name                       = "tokentrail-audit-logs-dead-letter"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }
}

# Terraform's own push subscription instead of the function's event_trigger: the subscription that an
# event_trigger creates belongs to Eventarc, and neither Terraform nor the Eventarc API can give it a
# dead-letter topic. Pushing to the function directly keeps retries with backoff *and* a dead-letter
# topic. The body is a plain Pub/Sub push request, which the Functions Framework turns into the
# messagePublished CloudEvent the handler expects.
resource "google_pubsub_subscription" "ingest" {
  name                       = "tokentrail-audit-logs-ingest"
  topic                      = google_pubsub_topic.audit_logs.id
  ack_deadline_seconds       = 300 # the ingest function's timeout: a push is acknowledged by its 2xx reply
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.ingest_pubsub.service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = google_cloudfunctions2_function.ingest_pubsub.service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_service_iam_member.invoker_ingest_pubsub,
    google_service_account_iam_member.pubsub_signs_push_tokens,
  ]
}

# Dead-lettering needs the Pub/Sub service agent to publish to the dead-letter topic and to
# acknowledge (subscribe on) the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  subscription = google_pubsub_subscription.ingest.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Cloud Scheduler publishes here (scheduler.tf); the detect function's event trigger listens.
resource "google_pubsub_topic" "detect_schedule" {
  name       = "tokentrail-detect-schedule"
  depends_on = [google_project_service.apis]
}
