# What is staging's own, planned from this root's terraform.tfvars; the invariants every environment shares are proved
# once in modules/environment/tests.
mock_provider "google" {
  override_during = plan
}

# The host and the on-call address are inputs with no value in the repository (CI passes MAPS_API_HOST_STAGING,
# MAPS_API_ONCALL_EMAIL_STAGING): the test passes its own.
variables {
  host         = "maps-api.staging.acme-maps.net"
  oncall_email = "maps-oncall@acme-maps.net"
}

run "plans_staging_in_its_own_project_state_bucket_and_by_its_own_account" {
  command = plan

  assert {
    condition     = output.environment == "staging" && output.project_id == "maps-api-staging" && output.cluster_name == "maps-api-staging"
    error_message = "staging, in maps-api-staging, cluster maps-api-staging"
  }
  assert {
    condition     = module.environment.facts.state_bucket == "maps-api-tfstate-staging" && module.environment.facts.state_prefix == "env/staging"
    error_message = "staging's own state bucket and prefix, as in backend.tf"
  }
  assert {
    condition     = output.ci_service_accounts.terraform == "github-terraform@maps-api-staging.iam.gserviceaccount.com"
    error_message = "applied by staging's own terraform account (bootstrap), which only the staging GitHub environment may use"
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
