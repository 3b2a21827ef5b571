# What is production's own, planned from this root's terraform.tfvars; the invariants every environment shares are proved
# once in modules/environment/tests.
mock_provider "google" {
  override_during = plan
}

run "plans_production_in_its_own_project_state_prefix_and_github_environment" {
  command = plan

  assert {
    condition     = output.environment == "production" && output.project_id == "maps-api-production" && output.cluster_name == "maps-api-production"
    error_message = "production, in maps-api-production, cluster maps-api-production"
  }
  assert {
    condition     = module.environment.facts.state_prefix == "env/production"
    error_message = "the deployer may read env/production, the prefix in backend.tf"
  }
  assert {
    condition     = endswith(module.environment.wif_attribute_condition, "assertion.environment == 'production'")
    error_message = "only jobs in the production GitHub environment obtain this project's identities"
  }
}

# modules/environment refuses production without deletion protection or with fewer than 3 nodes (its tests prove the
# refusal); the run above proves this root hands it "production", so the refusal applies here.
run "production_is_protected_and_sized_for_three_zones" {
  command = plan

  assert {
    condition     = module.environment.cluster_settings == { release_channel = "STABLE", deletion_protection = true, machine_type = "e2-standard-2", spot = false, min_nodes = 3, max_nodes = 9 }
    error_message = "production: STABLE channel, on-demand nodes, 3-9 nodes (one per zone at least), deletion protection on"
  }
  assert {
    condition     = module.environment.deletion_protection == true
    error_message = "Terraform refuses to destroy the production cluster"
  }
}
