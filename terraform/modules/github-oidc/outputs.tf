output "provider_name" {
  description = "Full WIF provider name for google-github-actions/auth `workload_identity_provider`."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "attribute_condition" {
  description = "The provider's attribute condition (repository, its ids, the accepted GitHub environments)."
  value       = google_iam_workload_identity_pool_provider.github.attribute_condition
}

output "accepted_environments" {
  description = "GitHub environments whose jobs this provider accepts."
  value       = local.accepted_environments
}

output "accounts" {
  description = "Every CI account: email, the GitHub environment that may use it, its project roles and state role."
  value = {
    for name, account in local.accounts : name => {
      email              = local.emails[name]
      github_environment = account.github_environment
      variable           = account.variable
      project_roles      = sort(account.project_roles)
      state_role         = account.state_role
    }
  }
}

output "impersonation" {
  description = "account => the one principal allowed to act as it (roles/iam.workloadIdentityUser)."
  value       = { for name, binding in google_service_account_iam_member.wif : name => binding.member }
}

output "terraform_grant_condition" {
  description = "The condition on the terraform account's projectIamAdmin."
  value       = google_project_iam_member.terraform_grants.condition[0].expression
}

output "github_environment_variables" {
  description = "GitHub environment => { variable => value } for the workflows (gh variable set NAME --env ENV)."
  value = {
    for github_environment in local.accepted_environments : github_environment => merge(
      { WORKLOAD_IDENTITY_PROVIDER = google_iam_workload_identity_pool_provider.github.name },
      { for name, account in local.accounts : account.variable => local.emails[name] if account.github_environment == github_environment },
    )
  }
}

output "custom_roles" {
  description = "Custom roles this module defines in the project: name => permissions (the deployer's and the cluster endpoint's)."
  value       = { for key, role in local.custom_roles : local.custom_role_names[key] => role.permissions }
}

output "deployer_chart_kinds" {
  description = "The Kubernetes kinds the deployer may manage (the chart's), each with its GKE IAM resource."
  value       = local.deployer_chart_kinds
}
