output "repository_id" {
  description = "Full resource id of the repository."
  value       = google_artifact_registry_repository.this.id
}

output "url" {
  description = "Docker registry URL images are pushed to: LOCATION-docker.pkg.dev/PROJECT/REPOSITORY."
  value       = "${var.location}-docker.pkg.dev/${var.project_id}/${var.repository_id}"
}

output "deletion_policy" {
  description = "PREVENT: Terraform refuses to delete the repository."
  value       = google_artifact_registry_repository.this.deletion_policy
}
