# The invariants every environment shares, proved once here; each root in envs/<env>/ tests only its own values.
mock_provider "google" {
  override_during = plan
}

variables {
  environment  = "staging"
  project_id   = "p-test"
  cluster_name = "c-test"
}

# The mock leaves computed attributes unknown at plan: give the WIF pool its name, and the replica job's account a
# recognisable member, so the tests can read the binding and tell its grants from the deployer's and the API's.
override_resource {
  target          = module.github.google_iam_workload_identity_pool.github
  override_during = plan
  values = {
    name = "projects/123/locations/global/workloadIdentityPools/github"
  }
}

override_resource {
  target          = module.github.google_service_account.replica
  override_during = plan
  values = {
    name   = "projects/example/serviceAccounts/replica-under-test@example.iam.gserviceaccount.com"
    email  = "replica-under-test@example.iam.gserviceaccount.com"
    member = "serviceAccount:replica-under-test@example.iam.gserviceaccount.com"
  }
}

run "cluster_has_private_nodes_and_workload_identity" {
  command = plan

  assert {
    condition     = module.gke.private_nodes
    error_message = "private nodes"
  }
  assert {
    condition     = module.gke.workload_pool == "p-test.svc.id.goog"
    error_message = "Workload Identity on, with this project's pool"
  }
}

run "defaults_are_production_safe" {
  command = plan

  assert {
    condition     = module.gke.deletion_protection && output.cluster_settings.min_nodes >= 3 && !output.cluster_settings.spot
    error_message = "without per-environment settings the cluster is deletion-protected, one node per zone at least, no Spot"
  }
  assert {
    condition     = output.cluster_settings.release_channel == "STABLE" && output.cluster_settings.machine_type == "e2-standard-2"
    error_message = "default release channel STABLE, machine type e2-standard-2"
  }
}

run "cluster_settings_reach_the_cluster" {
  command = plan

  variables {
    cluster = { deletion_protection = false, release_channel = "REGULAR", spot = true, min_nodes = 2, max_nodes = 4 }
  }

  assert {
    condition     = !module.gke.deletion_protection && output.deletion_protection == false
    error_message = "a disposable environment may turn deletion protection off"
  }
  assert {
    condition     = output.cluster_settings == { deletion_protection = false, release_channel = "REGULAR", spot = true, min_nodes = 2, max_nodes = 4, machine_type = "e2-standard-2" }
    error_message = "given settings win, the others keep their defaults"
  }
}

run "refuses_production_without_deletion_protection" {
  command = plan

  variables {
    environment = "production"
    cluster     = { deletion_protection = false }
  }

  expect_failures = [var.cluster]
}

run "refuses_production_with_fewer_nodes_than_zones" {
  command = plan

  variables {
    environment = "production"
    cluster     = { min_nodes = 1 }
  }

  expect_failures = [var.cluster]
}

run "refuses_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "wif_condition_names_the_repository_and_this_environment" {
  command = plan

  assert {
    condition     = strcontains(output.wif_attribute_condition, "assertion.repository == '${var.github_repository}'")
    error_message = "WIF accepts tokens from this repository only"
  }
  assert {
    condition     = strcontains(output.wif_attribute_condition, "assertion.sub == 'repo:${var.github_repository}:environment:staging'")
    error_message = "WIF accepts tokens from this repository's staging GitHub environment only"
  }
}

run "deployer_reads_only_this_environments_state_prefix" {
  command = plan

  assert {
    condition     = output.facts.state_prefix == "env/staging" && output.facts.state_bucket == "maps-api-tfstate"
    error_message = "the deployer's state grant is conditioned on env/<environment> in the bootstrap bucket"
  }
}

run "api_service_account_has_no_project_wide_data_access" {
  command = plan

  assert {
    condition     = module.api_identity.project_roles == ["roles/bigquery.jobUser"]
    error_message = "project-wide the API only runs jobs; it reads the replica dataset only"
  }
}

run "replica_dataset_is_in_the_source_location" {
  command = plan

  variables {
    replica = { source = "other.ds.table", dataset = "maps_replica", location = "EU" }
  }

  assert {
    condition     = module.replica.location == "EU" && output.replica_location == "EU"
    error_message = "the dataset location comes from the replica.location variable"
  }
}

run "pipeline_outputs_are_set" {
  command = plan

  assert {
    condition     = output.cluster_name == "c-test" && output.cluster_location == var.region
    error_message = "cluster name and location for get-credentials"
  }
  assert {
    condition     = output.registry_url == "us-central1-docker.pkg.dev/maps-api-production/maps"
    error_message = "registry URL"
  }
  assert {
    condition     = output.labels == { app = "maps-api", environment = "staging", managed-by = "terraform" }
    error_message = "every resource is labelled with app, environment and managed-by"
  }
}

run "replica_service_account_has_no_project_wide_data_access" {
  command = plan

  assert {
    condition     = module.github.replica_project_roles == tolist(["roles/bigquery.jobUser", "roles/monitoring.metricWriter"])
    error_message = "project-wide the replica job only runs BigQuery jobs and writes its metric point"
  }
  assert {
    condition     = alltrue([for role in module.github.replica_project_roles : !can(regex("bigquery\\.(data|admin)|owner|editor|viewer", role))])
    error_message = "no bigquery.dataEditor/dataViewer/dataOwner/admin or basic role at project level"
  }
}

run "replica_service_account_edits_the_replica_dataset_only" {
  command = plan

  assert {
    condition = module.replica.writer_grants == {
      replica = {
        dataset_id = "maps_replica"
        role       = "roles/bigquery.dataEditor"
        member     = "serviceAccount:replica-under-test@example.iam.gserviceaccount.com"
      }
    }
    error_message = "dataEditor on maps_replica (dataset-level IAM) for the replica account, and no other writer"
  }
}

run "only_this_repository_and_environment_may_act_as_the_replica_service_account" {
  command = plan

  assert {
    condition     = module.github.replica_impersonation.role == "roles/iam.workloadIdentityUser"
    error_message = "the binding grants impersonation through Workload Identity Federation only"
  }
  assert {
    condition     = module.github.replica_impersonation.member == "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:example-org/maps-api:environment:staging"
    error_message = "only example-org/maps-api's workflows in the staging GitHub environment, through this environment's WIF pool"
  }
  assert {
    condition     = output.replica_service_account_email == "replica-under-test@example.iam.gserviceaccount.com"
    error_message = "the pipeline reads the replica account from replica_service_account_email"
  }
}
