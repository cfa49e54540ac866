output "audit_topic" {
  description = "The topic the Log Router sink publishes to."
  value       = google_pubsub_topic.audit_logs.id
}

output "sink_writer_identity" {
  description = "The sink's own service account (granted roles/pubsub.publisher on audit_topic)."
  value       = google_logging_project_sink.audit.writer_identity
}

output "dead_letter_subscription" {
  description = "Where undeliverable audit-log messages wait: gcloud pubsub subscriptions pull <this> --auto-ack=false --limit=10"
  value       = google_pubsub_subscription.dead_letter.id
}

output "store" {
  description = "TOKENTRAIL_STORE for the CLI: tokentrail query who-accessed --store <this> --bucket '*'"
  value       = local.store_uri
}

output "functions" {
  description = "The deployed functions."
  value = concat(
    [google_cloudfunctions2_function.ingest_pubsub.name, google_cloudfunctions2_function.scheduled_detect.name],
    google_cloudfunctions2_function.ingest_audit_log[*].name,
  )
}

output "audit_log_triggers" {
  description = "Eventarc trigger names (empty unless enable_audit_log_triggers)."
  value       = [for trigger in google_eventarc_trigger.audit_log : trigger.name]
}

output "service_accounts" {
  description = "The runtime, invoker and build service accounts (no keys)."
  value = {
    functions = google_service_account.functions.email
    invoker   = google_service_account.invoker.email
    build     = google_service_account.build.email
  }
}
