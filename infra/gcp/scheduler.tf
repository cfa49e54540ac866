# Publishes to tokentrail-detect-schedule on var.alert_schedule (every 15 minutes by default); each
# message starts tokentrail-scheduled-detect over the last var.detect_lookback of event time.
resource "google_cloud_scheduler_job" "detect" {
  name        = "tokentrail-detect"
  description = "tokentrail: run the detection rules"
  region      = var.region
  schedule    = var.alert_schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.detect_schedule.id
    data       = base64encode(jsonencode({ source = "tokentrail-scheduler" }))
  }

  depends_on = [google_project_service.apis]
}
