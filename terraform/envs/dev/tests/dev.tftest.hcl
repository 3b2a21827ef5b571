# What is dev's own, planned from this root's terraform.tfvars; the invariants every environment shares are proved
# once in modules/environment/tests.
mock_provider "google" {
  override_during = plan
}

run "plans_dev_in_its_own_project_state_prefix_and_github_environment" {
  command = plan

  assert {
    condition     = output.environment == "dev" && output.project_id == "maps-api-dev" && output.cluster_name == "maps-api-dev"
    error_message = "dev, in maps-api-dev, cluster maps-api-dev"
  }
  assert {
    condition     = module.environment.facts.state_prefix == "env/dev"
    error_message = "the deployer may read env/dev, the prefix in backend.tf"
  }
  assert {
    condition     = endswith(module.environment.wif_attribute_condition, "assertion.environment == 'dev'")
    error_message = "only jobs in the dev GitHub environment obtain this project's identities"
  }
}

run "dev_is_cheap_and_disposable" {
  command = plan

  assert {
    condition     = module.environment.cluster_settings == { release_channel = "REGULAR", deletion_protection = false, machine_type = "e2-standard-2", spot = true, min_nodes = 2, max_nodes = 4 }
    error_message = "dev: REGULAR channel (sees upgrades first), Spot, 2-4 nodes, no deletion protection"
  }
  assert {
    condition     = module.environment.deletion_protection == false
    error_message = "the dev cluster can be destroyed"
  }
}

# outputs.tf is identical in every root (terraform/terraform.test.ts), so proving its wiring here proves it for all. The
# mock leaves these computed values unknown at plan: give each its real-looking value, so a swapped output shows.
override_resource {
  target          = module.environment.module.github.google_service_account.deployer
  override_during = plan
  values          = { email = "github-deployer@maps-api-dev.iam.gserviceaccount.com", member = "serviceAccount:github-deployer@maps-api-dev.iam.gserviceaccount.com", name = "projects/maps-api-dev/serviceAccounts/github-deployer@maps-api-dev.iam.gserviceaccount.com" }
}

override_resource {
  target          = module.environment.module.github.google_service_account.replica
  override_during = plan
  values          = { email = "maps-replica@maps-api-dev.iam.gserviceaccount.com", member = "serviceAccount:maps-replica@maps-api-dev.iam.gserviceaccount.com", name = "projects/maps-api-dev/serviceAccounts/maps-replica@maps-api-dev.iam.gserviceaccount.com" }
}

override_resource {
  target          = module.environment.module.api_identity.google_service_account.api
  override_during = plan
  values          = { email = "maps-api@maps-api-dev.iam.gserviceaccount.com", member = "serviceAccount:maps-api@maps-api-dev.iam.gserviceaccount.com", name = "projects/maps-api-dev/serviceAccounts/maps-api@maps-api-dev.iam.gserviceaccount.com" }
}

override_resource {
  target          = module.environment.module.github.google_iam_workload_identity_pool_provider.github
  override_during = plan
  values          = { name = "projects/123/locations/global/workloadIdentityPools/github/providers/github" }
}

run "pipeline_outputs_keep_their_names" {
  command = plan

  assert {
    condition     = output.cluster_location == "us-central1" && output.registry_url == "us-central1-docker.pkg.dev/maps-api-production/maps"
    error_message = "cluster_location and registry_url for get-credentials and helm"
  }
  assert {
    condition     = output.workload_identity_provider == "projects/123/locations/global/workloadIdentityPools/github/providers/github"
    error_message = "workload_identity_provider for google-github-actions/auth"
  }
  assert {
    condition     = output.deployer_service_account_email == "github-deployer@maps-api-dev.iam.gserviceaccount.com"
    error_message = "deployer_service_account_email is the deployer"
  }
  assert {
    condition     = output.api_service_account_email == "maps-api@maps-api-dev.iam.gserviceaccount.com"
    error_message = "api_service_account_email is the API pods' account (the chart's annotation)"
  }
  assert {
    condition     = output.replica_service_account_email == "maps-replica@maps-api-dev.iam.gserviceaccount.com"
    error_message = "replica_service_account_email is the replica job's account (REPLICA_SERVICE_ACCOUNT)"
  }
}
