mock_provider "google" {
  override_during = plan
}

variables {
  project_id    = "maps-api-production"
  location      = "us-central1"
  repository_id = "maps"
  readers       = ["serviceAccount:gke-nodes@maps-api-dev.iam.gserviceaccount.com"]
  writers       = ["serviceAccount:github-deployer@maps-api-dev.iam.gserviceaccount.com"]
}

run "tags_are_immutable_and_old_images_are_cleaned_up" {
  command = plan

  assert {
    condition     = google_artifact_registry_repository.this.format == "DOCKER" && google_artifact_registry_repository.this.docker_config[0].immutable_tags
    error_message = "a Docker repository with immutable tags"
  }
  assert {
    condition     = toset([for p in google_artifact_registry_repository.this.cleanup_policies : p.action]) == toset(["KEEP", "DELETE"])
    error_message = "keep the newest versions, delete the old ones"
  }
  assert {
    condition     = google_artifact_registry_repository.this.deletion_policy == "PREVENT"
    error_message = "Terraform refuses to delete the registry every environment runs from (and lifecycle prevent_destroy)"
  }
  assert {
    condition     = !google_artifact_registry_repository.this.cleanup_policy_dry_run
    error_message = "the cleanup policy is active"
  }
}

run "url_and_grants" {
  command = plan

  assert {
    condition     = output.url == "us-central1-docker.pkg.dev/maps-api-production/maps"
    error_message = "registry URL is LOCATION-docker.pkg.dev/PROJECT/REPOSITORY"
  }
  assert {
    condition     = google_artifact_registry_repository_iam_member.readers["serviceAccount:gke-nodes@maps-api-dev.iam.gserviceaccount.com"].role == "roles/artifactregistry.reader"
    error_message = "nodes pull"
  }
  assert {
    condition     = google_artifact_registry_repository_iam_member.writers["serviceAccount:github-deployer@maps-api-dev.iam.gserviceaccount.com"].role == "roles/artifactregistry.writer"
    error_message = "the publisher pushes"
  }
}

run "what_production_runs_is_never_cleaned_up" {
  command = plan

  assert {
    condition = { for p in google_artifact_registry_repository.this.cleanup_policies : p.id => p.action == "KEEP" ? (
      length(p.condition) > 0 ? "${p.condition[0].tag_state} ${join(",", p.condition[0].tag_prefixes)}" : "newest ${p.most_recent_versions[0].keep_count}"
      ) : "${p.condition[0].tag_state} ${p.condition[0].older_than}" } == {
      keep-releases     = "TAGGED v"
      keep-recent       = "newest 50"
      delete-old-tagged = "TAGGED 15552000s"
    }
    error_message = "release tags (v*) kept forever, the newest 50 kept, only tagged versions older than 180 days deleted"
  }
  assert {
    condition     = alltrue([for p in google_artifact_registry_repository.this.cleanup_policies : p.action == "KEEP" ? true : p.condition[0].tag_state == "TAGGED"])
    error_message = "no DELETE rule touches untagged versions (the per-platform manifests under a multi-arch index)"
  }
}
