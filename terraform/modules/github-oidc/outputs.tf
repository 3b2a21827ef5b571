output "provider_name" {
  description = "Full WIF provider name for google-github-actions/auth `workload_identity_provider`."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "deployer_email" {
  description = "Service account the workflow impersonates (`service_account`)."
  value       = google_service_account.deployer.email
}

output "deployer_member" {
  description = "IAM member of the deployer, for grants made elsewhere (registry, datasets)."
  value       = google_service_account.deployer.member
}

output "attribute_condition" {
  description = "The provider's attribute condition (pinned to repository and environment)."
  value       = google_iam_workload_identity_pool_provider.github.attribute_condition
}

output "deployer_project_roles" {
  description = "Roles the deployer holds on the whole project."
  value       = local.deployer_project_roles
}

output "replica_email" {
  description = "Service account replica.yml impersonates (GitHub environment variable REPLICA_SERVICE_ACCOUNT)."
  value       = google_service_account.replica.email
}

output "replica_member" {
  description = "IAM member of the replica job's account, granted dataEditor on the replica dataset by the root."
  value       = google_service_account.replica.member
}

output "replica_project_roles" {
  description = "Roles the replica job's account holds on the whole project (as planned)."
  value       = sort([for m in google_project_iam_member.replica : m.role])
}

output "replica_impersonation" {
  description = "Who may impersonate the replica job's account, and with which role."
  value = {
    role   = google_service_account_iam_member.replica_wif.role
    member = google_service_account_iam_member.replica_wif.member
  }
}
