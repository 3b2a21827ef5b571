output "dataset_id" {
  description = "Dataset name."
  value       = google_bigquery_dataset.replica.dataset_id
}

output "location" {
  description = "Dataset location (equal to the source table's)."
  value       = google_bigquery_dataset.replica.location
}

output "full_id" {
  description = "project.dataset, as the API's allow-list names it."
  value       = "${google_bigquery_dataset.replica.project}.${google_bigquery_dataset.replica.dataset_id}"
}

output "writer_grants" {
  description = "Dataset-level grants to `writers`, by name: dataset, role and member as planned."
  value = {
    for name, grant in google_bigquery_dataset_iam_member.writers :
    name => { dataset_id = grant.dataset_id, role = grant.role, member = grant.member }
  }
}

output "deletion_policy" {
  description = "Whether Terraform may delete the dataset (PREVENT: it refuses)."
  value       = google_bigquery_dataset.replica.deletion_policy
}
