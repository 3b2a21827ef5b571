output "state_bucket" {
  description = "Bootstrap's own state bucket (Owners only)."
  value       = google_storage_bucket.state.name
}

output "environment_state_buckets" {
  description = "environment => its state bucket (envs/<env>/backend.tf; production's also holds shared)."
  value       = { for env, bucket in google_storage_bucket.environment_state : env => bucket.name }
}

output "enabled_services" {
  description = "project/service pairs enabled."
  value       = sort(keys(google_project_service.enabled))
}

output "github_environment_variables" {
  description = "GitHub environment => { vars.* name => value }: set each with `gh variable set NAME --env ENV --body VALUE`."
  value       = merge([for env, github in module.github : github.github_environment_variables]...)
}

output "node_accounts" {
  description = "environment => the nodes' service account (known at plan: modules/environment and terraform/shared use these names)."
  value       = local.node_accounts
}

output "ci_accounts" {
  description = "environment => account => { email, github_environment, variable, project_roles, state_role }."
  value       = { for env, github in module.github : env => github.accounts }
}

output "attribute_conditions" {
  description = "environment => its WIF provider's attribute condition."
  value       = { for env, github in module.github : env => github.attribute_condition }
}
