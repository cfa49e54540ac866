# The built bundle (var.function_source_zip), uploaded under its content hash so that a new build
# replaces the functions and an unchanged one leaves them alone.
resource "google_storage_bucket" "function_source" {
  name                        = "${var.project}-tokentrail-functions"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # it holds only build inputs
  depends_on                  = [google_project_service.apis]
}

resource "google_storage_bucket_object" "function_source" {
  name   = "tokentrail-${filemd5(var.function_source_zip)}.zip"
  bucket = google_storage_bucket.function_source.name
  source = var.function_source_zip
}

locals {
  function_source = {
    bucket = google_storage_bucket.function_source.name
    object = google_storage_bucket_object.function_source.name
  }
  function_env = merge(
    # GOOGLE_CLOUD_PROJECT: the log lines name their trace as projects/PROJECT/traces/ID with it,
    # which Cloud Functions (2nd gen) does not set itself.
    { TOKENTRAIL_STORE = local.store_uri, GOOGLE_CLOUD_PROJECT = var.project },
    var.webhook_secret_id == null ? {} : {
      # A reference, resolved at start-up: the URL itself never appears in the configuration.
      TOKENTRAIL_WEBHOOKS = "${var.webhook_kind}=gcpsecret:projects/${var.project}/secrets/${var.webhook_secret_id}"
    },
    var.policy_path == null ? {} : { TOKENTRAIL_POLICY = var.policy_path },
  )
}

# Log Router sink -> tokentrail-audit-logs -> push subscription (pubsub.tf, with the dead-letter
# topic) -> this function. It has no event_trigger on purpose: see google_pubsub_subscription.ingest.
# Delivery failures (non-2xx) are retried by the subscription with backoff, then dead-lettered.
resource "google_cloudfunctions2_function" "ingest_pubsub" {
  name     = "tokentrail-ingest-pubsub"
  location = var.region

  build_config {
    runtime         = "nodejs22"
    entry_point     = "ingestPubSub"
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.functions.email
    environment_variables          = local.function_env
    available_memory               = "512Mi"
    timeout_seconds                = 300
    max_instance_count             = 10
    ingress_settings               = var.ingress_settings
    all_traffic_on_latest_revision = true
  }

  depends_on = [google_project_iam_member.build]
}

# Optional second path (var.enable_audit_log_triggers): Eventarc audit-log triggers straight to a
# function. Eventarc matches one serviceName + methodName pair per trigger, so there is one
# google_eventarc_trigger per audited method (local.audit_log_triggers, generated from AUDITED_METHODS)
# instead of the function's single event_trigger. Eventarc retries failed deliveries with backoff for
# 24 hours; its subscriptions are Eventarc-managed, so no dead-letter topic (see README).
resource "google_cloudfunctions2_function" "ingest_audit_log" {
  count    = var.enable_audit_log_triggers ? 1 : 0
  name     = "tokentrail-ingest-audit-log"
  location = var.region

  build_config {
    runtime         = "nodejs22"
    entry_point     = "ingestAuditLog"
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.functions.email
    environment_variables          = local.function_env
    available_memory               = "512Mi"
    timeout_seconds                = 300
    max_instance_count             = 10
    ingress_settings               = var.ingress_settings
    all_traffic_on_latest_revision = true
  }

  depends_on = [google_project_iam_member.build]
}

resource "google_eventarc_trigger" "audit_log" {
  for_each        = { for key, trigger in local.audit_log_triggers : key => trigger if var.enable_audit_log_triggers }
  name            = each.value.trigger_name
  location        = var.audit_log_trigger_location
  service_account = google_service_account.invoker.email

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.audit.log.v1.written"
  }
  matching_criteria {
    attribute = "serviceName"
    value     = each.value.service_name
  }
  matching_criteria {
    attribute = "methodName"
    value     = each.value.method_name
  }

  destination {
    cloud_run_service {
      service = google_cloudfunctions2_function.ingest_audit_log[0].name
      region  = var.region
    }
  }

  depends_on = [
    google_project_iam_member.invoker_event_receiver,
    google_cloud_run_service_iam_member.invoker_ingest_audit_log,
    google_project_iam_audit_config.sts,
    google_project_iam_audit_config.iamcredentials,
    google_project_iam_audit_config.iam,
    google_project_iam_audit_config.storage,
  ]
}

# Cloud Scheduler -> tokentrail-detect-schedule -> this function (scheduler.tf). A failed run is
# retried (up to 24 hours); the next scheduled run overlaps its window anyway, and an alert is raised
# once per incident however often detection sees it. scheduledDetect registers as an HTTP function;
# the trigger's delivery is a POST, which is all it asks for.
resource "google_cloudfunctions2_function" "scheduled_detect" {
  name     = "tokentrail-scheduled-detect"
  location = var.region

  build_config {
    runtime         = "nodejs22"
    entry_point     = "scheduledDetect"
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.functions.email
    environment_variables          = merge(local.function_env, { TOKENTRAIL_LOOKBACK = var.detect_lookback })
    available_memory               = "512Mi"
    timeout_seconds                = 540
    max_instance_count             = 1 # one detection at a time
    ingress_settings               = var.ingress_settings
    all_traffic_on_latest_revision = true
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.detect_schedule.id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.invoker.email
  }

  depends_on = [
    google_project_iam_member.build,
    google_project_iam_member.invoker_event_receiver,
  ]
}
