output "state_bucket" {
  description = "Name of the state bucket (backend.tf of every root)."
  value       = google_storage_bucket.state.name
}

output "enabled_services" {
  description = "project/service pairs enabled."
  value       = sort(keys(google_project_service.enabled))
}
