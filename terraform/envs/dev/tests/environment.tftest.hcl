# Identical in the three environment roots; runs against that root's terraform.tfvars.
mock_provider "google" {
  override_during = plan
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
