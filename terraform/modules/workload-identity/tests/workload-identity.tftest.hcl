mock_provider "google" {
  override_during = plan
}

variables {
  project_id        = "p-test"
  readable_datasets = ["maps_replica"]
  workload_pool     = "p-test.svc.id.goog"
}

run "api_has_no_project_wide_data_access" {
  command = plan

  assert {
    condition     = [for m in google_project_iam_member.api : m.role] == ["roles/bigquery.jobUser"]
    error_message = "project-wide the API may only run jobs"
  }
  assert {
    condition     = alltrue([for m in google_project_iam_member.api : !can(regex("data|admin|owner|editor|viewer", m.role))])
    error_message = "no data-reading, admin or basic role at project level"
  }
}

run "api_reads_the_replica_dataset_only" {
  command = plan

  assert {
    condition     = keys(google_bigquery_dataset_iam_member.readable) == ["maps_replica"]
    error_message = "exactly the replica dataset is readable"
  }
  assert {
    condition     = google_bigquery_dataset_iam_member.readable["maps_replica"].role == "roles/bigquery.dataViewer"
    error_message = "read-only access on the dataset"
  }
}

run "chart_service_account_acts_as_maps_api" {
  command = plan

  assert {
    condition     = google_service_account.api.account_id == "maps-api"
    error_message = "the Google service account is maps-api@PROJECT"
  }
  assert {
    condition     = google_service_account_iam_member.workload_identity.member == "serviceAccount:p-test.svc.id.goog[maps-api/maps-api]"
    error_message = "bound to the chart's Kubernetes service account maps-api/maps-api"
  }
}

run "the_binding_names_the_pool_it_is_given_by_the_cluster" {
  command = plan

  variables {
    workload_pool = "other-project.svc.id.goog"
  }

  assert {
    condition     = google_service_account_iam_member.workload_identity.member == "serviceAccount:other-project.svc.id.goog[maps-api/maps-api]"
    error_message = "the member comes from the cluster's workload_pool, not from project_id (that keeps the apply order: cluster first)"
  }
}

run "refuses_a_pool_that_is_not_a_workload_identity_pool" {
  command = plan

  variables {
    workload_pool = "p-test"
  }

  expect_failures = [var.workload_pool]
}
