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
