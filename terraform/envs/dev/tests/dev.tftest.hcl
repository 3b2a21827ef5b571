# What is dev's own, planned from this root's terraform.tfvars; the invariants every environment shares are proved
# once in modules/environment/tests.
mock_provider "google" {
  override_during = plan
}

# The host and the on-call address are inputs with no value in the repository (CI passes MAPS_API_HOST_DEV,
# MAPS_API_ONCALL_EMAIL_DEV): the test passes its own.
variables {
  host         = "maps-api.dev.acme-maps.net"
  oncall_email = "maps-oncall@acme-maps.net"
}

run "plans_dev_in_its_own_project_state_bucket_and_by_its_own_account" {
  command = plan

  assert {
    condition     = output.environment == "dev" && output.project_id == "maps-api-dev" && output.cluster_name == "maps-api-dev"
    error_message = "dev, in maps-api-dev, cluster maps-api-dev"
  }
  assert {
    condition     = module.environment.facts.state_bucket == "maps-api-tfstate-dev" && module.environment.facts.state_prefix == "env/dev"
    error_message = "dev's own state bucket and prefix, as in backend.tf"
  }
  assert {
    condition     = output.ci_service_accounts.terraform == "github-terraform@maps-api-dev.iam.gserviceaccount.com"
    error_message = "applied by dev's own terraform account (bootstrap), which only the dev GitHub environment may use"
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
  target          = module.environment.module.api_identity.google_service_account.api
  override_during = plan
  values          = { email = "maps-api@maps-api-dev.iam.gserviceaccount.com", member = "serviceAccount:maps-api@maps-api-dev.iam.gserviceaccount.com", name = "projects/maps-api-dev/serviceAccounts/maps-api@maps-api-dev.iam.gserviceaccount.com" }
}

override_resource {
  target          = module.environment.module.gke.google_container_cluster.this
  override_during = plan
  values = {
    name                           = "maps-api-dev"
    location                       = "us-central1"
    control_plane_endpoints_config = { dns_endpoint_config = { endpoint = "gke-0123abcd-1234.us-central1.gke.goog" } }
    workload_identity_config       = { workload_pool = "maps-api-dev.svc.id.goog" }
  }
}

run "pipeline_outputs_keep_their_names" {
  command = plan

  assert {
    condition     = output.cluster_location == "us-central1" && output.registry_url == "us-central1-docker.pkg.dev/maps-api-production/maps"
    error_message = "cluster_location and registry_url for get-credentials and helm"
  }
  assert {
    condition     = output.cluster_dns_endpoint == "gke-0123abcd-1234.us-central1.gke.goog" && output.kubeconfig_server == "https://gke-0123abcd-1234.us-central1.gke.goog"
    error_message = "cluster_dns_endpoint / kubeconfig_server: the DNS endpoint CI's kubeconfig targets"
  }
  assert {
    condition     = output.api_service_account_email == "maps-api@maps-api-dev.iam.gserviceaccount.com"
    error_message = "api_service_account_email is the API pods' account (the chart's annotation)"
  }
  assert {
    condition     = output.ci_service_accounts.deployer == "github-deployer@maps-api-dev.iam.gserviceaccount.com" && output.ci_service_accounts.replica == "maps-replica@maps-api-dev.iam.gserviceaccount.com"
    error_message = "the deployer and replica accounts bootstrap created (DEPLOY_SERVICE_ACCOUNT, REPLICA_SERVICE_ACCOUNT)"
  }
  assert {
    condition     = output.ingress.certificate_name == "maps-api-dev" && output.ingress.address_name == "maps-api-ingress"
    error_message = "the Ingress' static IP and certificate names"
  }
}

run "refuses_a_placeholder_host_naming_the_variable_to_set" {
  command = plan

  variables {
    host = "maps-api.dev.example.com"
  }
  expect_failures = [var.host]
}

run "refuses_every_reserved_example_name" {
  command = plan

  variables {
    host = "maps.rehearsal.test"
  }
  expect_failures = [var.host]
}

run "every_alert_reaches_the_oncall_address_it_was_given" {
  command = plan

  assert {
    condition     = jsonencode(module.environment.alerting.routing) == jsonencode({ critical = ["oncall"], warning = ["oncall"] }) && length(module.environment.alerting.placeholder_channels) == 0
    error_message = "both severities reach the on-call channel, whose address is the input (no placeholder left)"
  }
}

run "refuses_a_placeholder_oncall_address_naming_the_variable_to_set" {
  command = plan

  variables {
    oncall_email = "maps-api-oncall@example.com"
  }
  expect_failures = [var.oncall_email]
}

run "refuses_an_oncall_address_that_is_no_address" {
  command = plan

  variables {
    oncall_email = "maps-oncall"
  }
  expect_failures = [var.oncall_email]
}
