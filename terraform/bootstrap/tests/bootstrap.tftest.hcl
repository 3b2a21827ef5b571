mock_provider "google" {
  override_during = plan

  mock_resource "google_iam_workload_identity_pool" {
    defaults = {
      name = "projects/123/locations/global/workloadIdentityPools/github"
    }
  }
  mock_resource "google_service_account" {
    defaults = {
      name   = "projects/p-test/serviceAccounts/under-test@p-test.iam.gserviceaccount.com"
      member = "serviceAccount:under-test@p-test.iam.gserviceaccount.com"
    }
  }
  mock_resource "google_iam_workload_identity_pool_provider" {
    defaults = {
      name = "projects/123/locations/global/workloadIdentityPools/github/providers/github"
    }
  }
}

variables {
  github = {
    repository          = "acme/maps-api"
    repository_id       = "123456789"
    repository_owner_id = "987654"
  }
}

run "state_bucket_is_versioned_private_and_uniform" {
  command = plan

  assert {
    condition     = google_storage_bucket.state.versioning[0].enabled && alltrue([for b in google_storage_bucket.environment_state : b.versioning[0].enabled])
    error_message = "every state write is recoverable"
  }
  assert {
    condition     = alltrue([for b in concat([google_storage_bucket.state], values(google_storage_bucket.environment_state)) : b.uniform_bucket_level_access && b.public_access_prevention == "enforced" && !b.force_destroy])
    error_message = "uniform access, never public, never destroyed with its contents"
  }
}

run "each_environment_has_its_own_state_bucket_in_its_own_project" {
  command = plan

  assert {
    condition     = { for env, b in google_storage_bucket.environment_state : env => "${b.project}/${b.name}" } == { dev = "maps-api-dev/maps-api-tfstate-dev", staging = "maps-api-staging/maps-api-tfstate-staging", production = "maps-api-production/maps-api-tfstate-production" }
    error_message = "dev's state (and dev's accounts' grants) can never reach production's"
  }
  assert {
    condition     = alltrue([for env, github in module.github : alltrue([for name, account in github.accounts : account.state_role == null || startswith(account.email, "github-") && endswith(account.email, "@${var.environment_projects[env]}.iam.gserviceaccount.com")])])
    error_message = "only the environment's own accounts hold a state role"
  }
}

run "apis_are_enabled_in_every_project_and_never_disabled_on_destroy" {
  command = plan

  assert {
    condition     = length(google_project_service.enabled) == 3 * length(var.services)
    error_message = "each API in each of the three projects"
  }
  assert {
    condition     = alltrue([for s in google_project_service.enabled : !s.disable_on_destroy])
    error_message = "destroying bootstrap never switches an API off"
  }
  assert {
    condition     = alltrue([for api in ["container", "iam", "iamcredentials", "sts", "dns", "binaryauthorization"] : contains(keys(google_project_service.enabled), "maps-api-production/${api}.googleapis.com")])
    error_message = "GKE, IAM, WIF (sts, iamcredentials), DNS and Binary Authorization APIs enabled"
  }
}

run "every_github_environment_gets_its_variables_from_this_root" {
  command = plan

  assert {
    condition = jsonencode({ for env, vars in output.github_environment_variables : env => sort(keys(vars)) }) == jsonencode({
      dev                = ["DEPLOY_SERVICE_ACCOUNT", "TERRAFORM_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      staging            = ["DEPLOY_SERVICE_ACCOUNT", "TERRAFORM_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      production         = ["DEPLOY_SERVICE_ACCOUNT", "TERRAFORM_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      dev-plan           = ["PLAN_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      dev-replica        = ["REPLICA_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      staging-plan       = ["PLAN_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      staging-replica    = ["REPLICA_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      production-plan    = ["PLAN_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      production-replica = ["REPLICA_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
      publish            = ["PUBLISH_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"]
    })
    error_message = "ten GitHub environments, each with the vars.* its jobs read"
  }
  assert {
    condition     = output.github_environment_variables["publish"].PUBLISH_SERVICE_ACCOUNT == "github-publisher@maps-api-production.iam.gserviceaccount.com" && output.github_environment_variables["dev"].DEPLOY_SERVICE_ACCOUNT == "github-deployer@maps-api-dev.iam.gserviceaccount.com"
    error_message = "the publisher lives with the registry (production project); each deployer in its environment's project"
  }
}

run "only_the_registry_projects_terraform_account_administers_the_registry" {
  command = plan

  assert {
    condition     = contains(output.ci_accounts.production.terraform.project_roles, "roles/artifactregistry.admin") && !contains(output.ci_accounts.dev.terraform.project_roles, "roles/artifactregistry.admin")
    error_message = "terraform/shared is applied with production's terraform account"
  }
}

run "every_provider_pins_the_repository_and_its_ids" {
  command = plan

  assert {
    condition     = alltrue([for env, c in output.attribute_conditions : strcontains(c, "assertion.repository_id == '123456789'") && strcontains(c, "assertion.repository_owner_id == '987654'") && strcontains(c, "assertion.repository == 'acme/maps-api'")])
    error_message = "name and immutable ids in every project"
  }
}

run "each_environment_node_account_exists_before_the_registry_grants_it" {
  command = plan

  assert {
    condition     = { for env, account in google_service_account.nodes : env => "${account.account_id}@${account.project}.iam.gserviceaccount.com" } == output.node_accounts
    error_message = "bootstrap creates gke-nodes in each environment's project, the names terraform/shared grants registry read"
  }
  assert {
    condition     = output.node_accounts.production == "gke-nodes@maps-api-production.iam.gserviceaccount.com"
    error_message = "the node account modules/environment names"
  }
}
