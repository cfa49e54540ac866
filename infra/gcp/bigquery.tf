# The same dataset, tables and views `tokentrail bigquery init` creates, from the same definitions:
# schemas from infra/bigquery/*.schema.json, layout from local.bigquery_tables and views from
# views/*.sql.tftpl (both generated from shared/core).
resource "google_bigquery_dataset" "tokentrail" {
  dataset_id  = var.dataset
  location    = var.bigquery_location
  description = "tokentrail: federation audit events, quarantine and alerts"
  # false by default: `terraform destroy` refuses to delete a dataset that still holds tables.
  delete_contents_on_destroy = var.allow_data_deletion
  depends_on                 = [google_project_service.apis]
}

resource "google_bigquery_table" "tables" {
  for_each            = local.bigquery_tables
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = file("${path.module}/../bigquery/${each.key}.schema.json")
  clustering          = each.value.clustering
  deletion_protection = !var.allow_data_deletion

  time_partitioning {
    type  = "DAY"
    field = each.value.partition_field
  }
}

locals {
  # A view names its tables in full, so it works whichever project queries it.
  view_template_vars = { dataset = "${var.project}.${google_bigquery_dataset.tokentrail.dataset_id}" }
}

# The views read one another; BigQuery checks a view's query when it is created, so each waits for
# what it reads (local.bigquery_views[*].reads).
resource "google_bigquery_table" "view_events_unique" {
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = "events_unique"
  description         = local.bigquery_views.events_unique.description
  deletion_protection = false
  view {
    query          = templatefile("${path.module}/views/events_unique.sql.tftpl", local.view_template_vars)
    use_legacy_sql = false
  }
  depends_on = [google_bigquery_table.tables]
}

resource "google_bigquery_table" "view_events_attributed" {
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = "events_attributed"
  description         = local.bigquery_views.events_attributed.description
  deletion_protection = false
  view {
    query          = templatefile("${path.module}/views/events_attributed.sql.tftpl", local.view_template_vars)
    use_legacy_sql = false
  }
  depends_on = [google_bigquery_table.view_events_unique]
}

resource "google_bigquery_table" "view_chain_links" {
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = "chain_links"
  description         = local.bigquery_views.chain_links.description
  deletion_protection = false
  view {
    query          = templatefile("${path.module}/views/chain_links.sql.tftpl", local.view_template_vars)
    use_legacy_sql = false
  }
  depends_on = [google_bigquery_table.view_events_unique]
}

resource "google_bigquery_table" "view_chain_roots" {
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = "chain_roots"
  description         = local.bigquery_views.chain_roots.description
  deletion_protection = false
  view {
    query          = templatefile("${path.module}/views/chain_roots.sql.tftpl", local.view_template_vars)
    use_legacy_sql = false
  }
  depends_on = [google_bigquery_table.view_chain_links, google_bigquery_table.view_events_unique]
}

resource "google_bigquery_table" "view_access" {
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = "access"
  description         = local.bigquery_views.access.description
  deletion_protection = false
  view {
    query          = templatefile("${path.module}/views/access.sql.tftpl", local.view_template_vars)
    use_legacy_sql = false
  }
  depends_on = [google_bigquery_table.view_events_attributed, google_bigquery_table.view_chain_roots]
}

resource "google_bigquery_table" "view_who_accessed" {
  dataset_id          = google_bigquery_dataset.tokentrail.dataset_id
  table_id            = "who_accessed"
  description         = local.bigquery_views.who_accessed.description
  deletion_protection = false
  view {
    query          = templatefile("${path.module}/views/who_accessed.sql.tftpl", local.view_template_vars)
    use_legacy_sql = false
  }
  depends_on = [google_bigquery_table.view_access]
}
