# What is production's own, planned from this root's terraform.tfvars; the invariants every environment shares are proved
# once in modules/environment/tests.
mock_provider "google" {
  override_during = plan
}

# The host and the on-call address are inputs with no value in the repository (CI passes MAPS_API_HOST_PRODUCTION,
# MAPS_API_ONCALL_EMAIL_PRODUCTION): the test passes its own.
variables {
  host         = "maps-api.production.acme-maps.net"
  oncall_email = "maps-oncall@acme-maps.net"
}

run "plans_production_in_its_own_project_state_bucket_and_by_its_own_account" {
  command = plan

  assert {
    condition     = output.environment == "production" && output.project_id == "maps-api-production" && output.cluster_name == "maps-api-production"
    error_message = "production, in maps-api-production, cluster maps-api-production"
  }
  assert {
    condition     = module.environment.facts.state_bucket == "maps-api-tfstate-production" && module.environment.facts.state_prefix == "env/production"
    error_message = "production's own state bucket and prefix, as in backend.tf"
  }
  assert {
    condition     = output.ci_service_accounts.terraform == "github-terraform@maps-api-production.iam.gserviceaccount.com"
    error_message = "applied by production's own terraform account (bootstrap), which only the production GitHub environment may use"
  }
}

# modules/environment refuses production without deletion protection or with fewer than 3 nodes (its tests prove the
# refusal); the run above proves this root hands it "production", so the refusal applies here.
run "production_is_protected_and_sized_for_its_requests" {
  command = plan

  assert {
    condition     = module.environment.cluster_settings == { release_channel = "STABLE", deletion_protection = true, machine_type = "e2-standard-2", spot = false, min_nodes = 4, max_nodes = 9 }
    error_message = "production: STABLE channel, on-demand nodes, 4-9 nodes (its requests + a surge pod + a drained node), deletion protection on"
  }
  assert {
    condition     = module.environment.deletion_protection == true
    error_message = "Terraform refuses to destroy the production cluster"
  }
}

run "production_keeps_its_replica_and_admits_only_registry_images" {
  command = plan

  assert {
    condition     = module.environment.replica_deletion_policy == "PREVENT"
    error_message = "Terraform refuses to delete production's replica dataset"
  }
  assert {
    condition     = module.environment.binary_authorization.default_rule == "ALWAYS_DENY" && module.environment.binary_authorization.cluster_mode == "PROJECT_SINGLETON_POLICY_ENFORCE"
    error_message = "production's cluster enforces the allow-list policy"
  }
}
