locals {
  # Project-wide the API may only run query jobs; what it may read is granted per dataset below.
  project_roles = ["roles/bigquery.jobUser"]
}

resource "google_service_account" "api" {
  project      = var.project_id
  account_id   = var.account_id
  display_name = "maps-api (Kubernetes ${var.namespace}/${var.kubernetes_service_account})"
}

resource "google_project_iam_member" "api" {
  for_each = toset(local.project_roles)
  project  = var.project_id
  role     = each.value
  member   = google_service_account.api.member
}

resource "google_bigquery_dataset_iam_member" "readable" {
  for_each   = toset(var.readable_datasets)
  project    = var.project_id
  dataset_id = each.value
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.api.member
}

# The chart's Kubernetes service account acts as this Google service account (Workload Identity). The member names the
# cluster's pool, which exists only once the cluster does: `workload_pool` must be the cluster's attribute (not a string
# built from the project id), so Terraform orders this binding after the cluster ("Identity Pool does not exist").
resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.api.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.workload_pool}[${var.namespace}/${var.kubernetes_service_account}]"
}
