# What is staging's own, planned from this root's terraform.tfvars; the invariants every environment shares are proved
# once in modules/environment/tests.
mock_provider "google" {
  override_during = plan
}

run "plans_staging_in_its_own_project_state_prefix_and_github_environment" {
  command = plan

  assert {
    condition     = output.environment == "staging" && output.project_id == "maps-api-staging" && output.cluster_name == "maps-api-staging"
    error_message = "staging, in maps-api-staging, cluster maps-api-staging"
  }
  assert {
    condition     = module.environment.facts.state_prefix == "env/staging"
    error_message = "the deployer may read env/staging, the prefix in backend.tf"
  }
  assert {
    condition     = endswith(module.environment.wif_attribute_condition, "assertion.environment == 'staging'")
    error_message = "only jobs in the staging GitHub environment obtain this project's identities"
  }
}

run "staging_runs_like_production_but_smaller" {
  command = plan

  assert {
    condition     = module.environment.cluster_settings == { release_channel = "STABLE", deletion_protection = false, machine_type = "e2-standard-2", spot = false, min_nodes = 3, max_nodes = 6 }
    error_message = "staging: STABLE channel like production, on-demand nodes, 3-6 nodes, no deletion protection"
  }
  assert {
    condition     = module.environment.deletion_protection == false
    error_message = "the staging cluster can be destroyed"
  }
}
