# Identical in the three environment roots; runs against that root's terraform.tfvars.
mock_provider "google" {
  override_during = plan
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
    condition     = module.gke.workload_pool == "${var.project_id}.svc.id.goog"
    error_message = "Workload Identity on, with this project's pool"
  }
}

run "production_and_only_production_is_deletion_protected" {
  command = plan

  assert {
    condition     = module.gke.deletion_protection == (var.environment == "production")
    error_message = "deletion protection is on in production (and off in disposable environments)"
  }
}

run "wif_condition_names_the_repository_and_this_environment" {
  command = plan

  assert {
    condition     = strcontains(module.github.attribute_condition, "assertion.repository == '${var.github_repository}'")
    error_message = "WIF accepts tokens from this repository only"
  }
  assert {
    condition     = strcontains(module.github.attribute_condition, "assertion.sub == 'repo:${var.github_repository}:environment:${var.environment}'")
    error_message = "WIF accepts tokens from this repository's ${var.environment} GitHub environment only"
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

  assert {
    condition     = module.replica.location == var.replica.location
    error_message = "the dataset location comes from the replica.location variable"
  }
}

run "pipeline_outputs_are_set" {
  command = plan

  assert {
    condition     = output.cluster_name == var.cluster_name && output.cluster_location == var.region
    error_message = "cluster name and location for get-credentials"
  }
  assert {
    condition     = output.registry_url == "${var.registry.location}-docker.pkg.dev/${var.registry.project}/${var.registry.repository}"
    error_message = "registry URL"
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
        dataset_id = var.replica.dataset
        role       = "roles/bigquery.dataEditor"
        member     = "serviceAccount:replica-under-test@example.iam.gserviceaccount.com"
      }
    }
    error_message = "dataEditor on ${var.replica.dataset} (dataset-level IAM) for the replica account, and no other writer"
  }
}

run "only_this_repository_and_environment_may_act_as_the_replica_service_account" {
  command = plan

  assert {
    condition     = module.github.replica_impersonation.role == "roles/iam.workloadIdentityUser"
    error_message = "the binding grants impersonation through Workload Identity Federation only"
  }
  assert {
    condition     = module.github.replica_impersonation.member == "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:${var.github_repository}:environment:${var.environment}"
    error_message = "only ${var.github_repository}'s workflows in the ${var.environment} GitHub environment, through this environment's WIF pool"
  }
  assert {
    condition     = output.replica_service_account_email == "replica-under-test@example.iam.gserviceaccount.com"
    error_message = "the pipeline reads the replica account from replica_service_account_email"
  }
}
