resource "google_artifact_registry_repository" "this" {
  #checkov:skip=CKV_GCP_84:Images hold open code and no secrets; Google-managed encryption at rest. CMEK adds KMS keys to run for no threat reduction.
  project       = var.project_id
  location      = var.location
  repository_id = var.repository_id
  format        = "DOCKER"
  description   = "maps-api images: published once, promoted to every environment by digest."
  labels        = var.labels

  # A tag, once pushed, always names the same digest: promotion by digest stays honest.
  docker_config {
    immutable_tags = true
  }

  cleanup_policy_dry_run = false

  # What production runs must survive: every release is tagged vX.Y.Z by release.yml (kept forever), the newest
  # versions are kept whatever their age, and only TAGGED versions are ever deleted: the untagged per-platform
  # manifests of a multi-arch image are never removed from under their index.
  cleanup_policies {
    id     = "keep-releases"
    action = "KEEP"
    condition {
      tag_state    = "TAGGED"
      tag_prefixes = var.keep_tag_prefixes
    }
  }

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.keep_recent_versions
    }
  }

  cleanup_policies {
    id     = "delete-old-tagged"
    action = "DELETE"
    condition {
      tag_state  = "TAGGED"
      older_than = "${var.delete_older_than_days * 86400}s"
    }
  }

  # The images every environment runs and rolls back to: never deleted by Terraform.
  deletion_policy = "PREVENT"
  lifecycle {
    prevent_destroy = true
  }
}

resource "google_artifact_registry_repository_iam_member" "readers" {
  for_each   = toset(var.readers)
  project    = google_artifact_registry_repository.this.project
  location   = google_artifact_registry_repository.this.location
  repository = google_artifact_registry_repository.this.name
  role       = "roles/artifactregistry.reader"
  member     = each.value
}

resource "google_artifact_registry_repository_iam_member" "writers" {
  for_each   = toset(var.writers)
  project    = google_artifact_registry_repository.this.project
  location   = google_artifact_registry_repository.this.location
  repository = google_artifact_registry_repository.this.name
  role       = "roles/artifactregistry.writer"
  member     = each.value
}
