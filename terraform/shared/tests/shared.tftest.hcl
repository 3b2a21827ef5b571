mock_provider "google" {
  override_during = plan
}

run "every_cluster_pulls_and_only_the_publisher_pushes" {
  command = plan

  assert {
    condition = toset(output.registry_readers) == toset([
      "serviceAccount:gke-nodes@maps-api-dev.iam.gserviceaccount.com",
      "serviceAccount:gke-nodes@maps-api-staging.iam.gserviceaccount.com",
      "serviceAccount:gke-nodes@maps-api-production.iam.gserviceaccount.com",
      "serviceAccount:github-deployer@maps-api-dev.iam.gserviceaccount.com",
      "serviceAccount:github-deployer@maps-api-staging.iam.gserviceaccount.com",
      "serviceAccount:github-deployer@maps-api-production.iam.gserviceaccount.com",
    ])
    error_message = "the three clusters' nodes and the three deployers read the one registry"
  }
  assert {
    condition     = output.registry_writers == ["serviceAccount:github-publisher@maps-api-production.iam.gserviceaccount.com"]
    error_message = "only the publish jobs' account (bootstrap, registry project) pushes; no deployer does"
  }
  assert {
    condition     = output.registry_url == "us-central1-docker.pkg.dev/maps-api-production/maps"
    error_message = "registry URL from environments.json"
  }
}

run "the_registry_cannot_be_destroyed_and_keeps_releases" {
  command = plan

  assert {
    condition     = module.registry.deletion_policy == "PREVENT"
    error_message = "every environment runs from this registry"
  }
}
