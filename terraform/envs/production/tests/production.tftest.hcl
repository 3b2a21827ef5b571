# Production-only guard rails: the root refuses values that would weaken them.
mock_provider "google" {
  override_during = plan
}

run "refuses_production_without_deletion_protection" {
  command = plan

  variables {
    cluster = {
      release_channel     = "STABLE"
      deletion_protection = false
      machine_type        = "e2-standard-2"
      spot                = false
      min_nodes           = 3
      max_nodes           = 9
    }
  }

  expect_failures = [var.cluster]
}

run "refuses_production_with_fewer_nodes_than_zones" {
  command = plan

  variables {
    cluster = {
      release_channel     = "STABLE"
      deletion_protection = true
      machine_type        = "e2-standard-2"
      spot                = false
      min_nodes           = 1
      max_nodes           = 9
    }
  }

  expect_failures = [var.cluster]
}
