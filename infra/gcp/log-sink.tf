# Routes the federation audit logs (local.log_router_filter, generated from
# shared/core/queries/log-router-filter.ts) to the ingest topic. Routing through the Log Router is free;
# the entries must exist first: Data Access logs are off until audit-config.tf turns them on.
# `tokentrail sinks apply` creates the same sink without Terraform; use one or the other.
resource "google_logging_project_sink" "audit" {
  name                   = "tokentrail-audit"
  project                = var.project
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.audit_logs.id}"
  filter                 = local.log_router_filter
  unique_writer_identity = true
  description            = "tokentrail: federation token exchanges, impersonation and bucket data access"
}

# The sink writes as its own service account, which may publish to this topic and nothing else.
resource "google_pubsub_topic_iam_member" "sink_writer_publisher" {
  topic  = google_pubsub_topic.audit_logs.name
  role   = "roles/pubsub.publisher"
  member = google_logging_project_sink.audit.writer_identity
}
