resource "google_bigquery_dataset" "replica" {
  #checkov:skip=CKV_GCP_81:The dataset is a copy of a public dataset; Google-managed encryption at rest suffices.
  project     = var.project_id
  dataset_id  = var.dataset_id
  location    = var.location
  description = "Stable copy of ${var.source_table} served by maps-api (copied, verified, then switched)."
  labels      = var.labels

  # Versioned copies may expire on their own; null keeps tables until they are dropped.
  default_table_expiration_ms = var.table_expiration_days == null ? null : var.table_expiration_days * 86400000

  delete_contents_on_destroy = false
  # PREVENT: Terraform refuses to delete the dataset (production's replica takes hours to copy and verify again).
  deletion_policy = var.deletion_policy
}

resource "google_bigquery_dataset_iam_member" "readers" {
  for_each   = toset(var.readers)
  project    = google_bigquery_dataset.replica.project
  dataset_id = google_bigquery_dataset.replica.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

resource "google_bigquery_dataset_iam_member" "writers" {
  for_each   = var.writers
  project    = google_bigquery_dataset.replica.project
  dataset_id = google_bigquery_dataset.replica.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = each.value
}
