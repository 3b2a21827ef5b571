# Run once per organisation by a human with Owner on the three projects (bootstrap.sh), before any other root.
provider "google" {
  project = var.state_project
}

locals {
  project_services = flatten([
    for project in var.projects : [
      for service in var.services : { key = "${project}/${service}", project = project, service = service }
    ]
  ])
}

resource "google_project_service" "enabled" {
  for_each = { for ps in local.project_services : ps.key => ps }

  project            = each.value.project
  service            = each.value.service
  disable_on_destroy = false # destroying bootstrap must never switch an API off under a running cluster
}

# One bucket, one prefix per root (env/dev, env/staging, env/production, shared, bootstrap).
resource "google_storage_bucket" "state" {
  #checkov:skip=CKV_GCP_62:State reads and writes are recorded by Data Access audit logs (state_access below), not legacy usage logs.
  project  = var.state_project
  name     = var.state_bucket
  location = var.state_location

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true # every state write is recoverable
  }

  # Keep old state versions for a while, not forever.
  lifecycle_rule {
    condition {
      num_newer_versions = var.state_versions_kept
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  labels = {
    app        = "maps-api"
    managed-by = "terraform"
    purpose    = "terraform-state"
  }

  lifecycle {
    prevent_destroy = true
  }

  depends_on = [google_project_service.enabled]
}

# Who read or wrote state is recorded by Data Access audit logs (instead of legacy bucket access logs).
resource "google_project_iam_audit_config" "state_access" {
  project = var.state_project
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
