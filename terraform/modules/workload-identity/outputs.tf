output "email" {
  description = "Email of the API's Google service account (the chart annotates its Kubernetes SA with it)."
  value       = google_service_account.api.email
}

output "project_roles" {
  description = "Roles the API holds on the whole project."
  value       = local.project_roles
}

output "workload_identity_member" {
  description = "The Kubernetes identity allowed to act as the service account."
  value       = google_service_account_iam_member.workload_identity.member
}
