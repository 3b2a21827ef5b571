mock_provider "google" {
  override_during = plan

  mock_resource "google_iam_workload_identity_pool" {
    defaults = {
      name = "projects/123/locations/global/workloadIdentityPools/github"
    }
  }
}

override_resource {
  target          = google_service_account.replica
  override_during = plan
  values = {
    name   = "projects/p-test/serviceAccounts/maps-replica@p-test.iam.gserviceaccount.com"
    member = "serviceAccount:maps-replica@p-test.iam.gserviceaccount.com"
  }
}

variables {
  project_id         = "p-test"
  github_repository  = "example-org/maps-api"
  github_environment = "production"
  state_bucket       = "tfstate"
  state_prefix       = "env/production"
}

run "attribute_condition_names_the_repository_and_environment" {
  command = plan

  assert {
    condition     = strcontains(google_iam_workload_identity_pool_provider.github.attribute_condition, "assertion.repository == 'example-org/maps-api'")
    error_message = "the WIF condition must pin the repository"
  }
  assert {
    condition     = strcontains(google_iam_workload_identity_pool_provider.github.attribute_condition, "assertion.environment == 'production'")
    error_message = "the WIF condition must pin the GitHub environment"
  }
  assert {
    condition     = strcontains(google_iam_workload_identity_pool_provider.github.attribute_condition, "assertion.sub == 'repo:example-org/maps-api:environment:production'")
    error_message = "the WIF condition must pin the exact subject"
  }
  assert {
    condition     = google_iam_workload_identity_pool_provider.github.oidc[0].issuer_uri == "https://token.actions.githubusercontent.com"
    error_message = "tokens come from GitHub Actions"
  }
}

run "only_the_production_environment_subject_may_impersonate_the_deployer" {
  command = plan

  assert {
    condition     = google_service_account_iam_member.deployer_wif.member == "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:example-org/maps-api:environment:production"
    error_message = "exactly one subject (repository + environment) may act as the deployer"
  }
  assert {
    condition     = google_service_account_iam_member.deployer_wif.role == "roles/iam.workloadIdentityUser"
    error_message = "the binding grants impersonation only"
  }
}

run "deployer_has_least_roles" {
  command = plan

  assert {
    condition     = toset([for m in google_project_iam_member.deployer : m.role]) == toset(["roles/container.developer"])
    error_message = "project-wide the deployer may only deploy to the cluster"
  }
  assert {
    condition     = google_storage_bucket_iam_member.state_reader.role == "roles/storage.objectViewer"
    error_message = "state is read, never written"
  }
  assert {
    condition     = google_storage_bucket_iam_member.state_reader.condition[0].expression == "resource.name.startsWith(\"projects/_/buckets/tfstate/objects/env/production/\")"
    error_message = "state read is limited to this environment's prefix"
  }
}

run "replica_job_has_its_own_least_privilege_account" {
  command = plan

  assert {
    condition     = google_service_account.replica.account_id == "maps-replica" && google_service_account.replica.project == "p-test"
    error_message = "the replica job runs as maps-replica@PROJECT, not as the deployer"
  }
  assert {
    condition     = toset([for m in google_project_iam_member.replica : m.role]) == toset(["roles/bigquery.jobUser", "roles/monitoring.metricWriter"])
    error_message = "project-wide the replica job may only run BigQuery jobs and write metric points"
  }
  assert {
    condition     = alltrue([for m in google_project_iam_member.replica : !can(regex("bigquery\\.(data|admin)|owner|editor|viewer", m.role))])
    error_message = "no data access at project level (dataEditor is granted on the replica dataset only)"
  }
  assert {
    condition     = alltrue([for m in google_project_iam_member.replica : m.member == "serviceAccount:maps-replica@p-test.iam.gserviceaccount.com"])
    error_message = "the project roles go to the replica account"
  }
}

run "only_the_production_environment_subject_may_impersonate_the_replica_account" {
  command = plan

  assert {
    condition     = google_service_account_iam_member.replica_wif.member == "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:example-org/maps-api:environment:production"
    error_message = "exactly one subject (repository + environment) may act as the replica account"
  }
  assert {
    condition     = google_service_account_iam_member.replica_wif.role == "roles/iam.workloadIdentityUser"
    error_message = "the binding grants impersonation only"
  }
}

run "the_replica_binding_follows_the_github_environment" {
  command = plan

  variables {
    github_environment = "staging"
  }

  assert {
    condition     = google_service_account_iam_member.replica_wif.member == "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:example-org/maps-api:environment:staging"
    error_message = "the environment is not hard-coded"
  }
}

run "rejects_a_repository_that_is_not_owner_slash_name" {
  command = plan

  variables {
    github_repository = "maps-api"
  }

  expect_failures = [var.github_repository]
}
