mock_provider "google" {
  override_during = plan
}

run "state_bucket_is_versioned_private_and_uniform" {
  command = plan

  assert {
    condition     = google_storage_bucket.state.versioning[0].enabled
    error_message = "every state write is recoverable"
  }
  assert {
    condition     = google_storage_bucket.state.uniform_bucket_level_access && google_storage_bucket.state.public_access_prevention == "enforced"
    error_message = "uniform access, never public"
  }
  assert {
    condition     = !google_storage_bucket.state.force_destroy
    error_message = "the bucket is never destroyed with its contents"
  }
}

run "apis_are_enabled_in_every_project_and_never_disabled_on_destroy" {
  command = plan

  assert {
    condition     = length(google_project_service.enabled) == 3 * length(var.services)
    error_message = "each API in each of the three projects"
  }
  assert {
    condition     = alltrue([for s in google_project_service.enabled : !s.disable_on_destroy])
    error_message = "destroying bootstrap never switches an API off"
  }
  assert {
    condition     = contains(keys(google_project_service.enabled), "maps-api-production/container.googleapis.com")
    error_message = "GKE API enabled"
  }
}
