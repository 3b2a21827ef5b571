# The one image registry for all environments: published once, promoted by digest (see docs/infrastructure.md).
provider "google" {
  project = var.registry.project
  region  = var.registry.location
}

locals {
  # Names are fixed by modules/environment (gke module `gke-nodes`, github-oidc module `github-deployer`).
  node_members     = [for env, project in var.environment_projects : "serviceAccount:gke-nodes@${project}.iam.gserviceaccount.com"]
  deployer_members = { for env, project in var.environment_projects : env => "serviceAccount:github-deployer@${project}.iam.gserviceaccount.com" }
}

module "registry" {
  source = "../modules/artifact-registry"

  project_id    = var.registry.project
  location      = var.registry.location
  repository_id = var.registry.repository
  # Clusters pull; every deployer may resolve a digest before it deploys.
  readers = concat(local.node_members, values(local.deployer_members))
  # Only the environment that publishes pushes (tags are immutable, so it cannot rewrite what others deploy).
  writers = [local.deployer_members[var.publisher_environment]]
  labels = {
    app        = "maps-api"
    managed-by = "terraform"
  }
}
