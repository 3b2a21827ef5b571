# The one image registry for all environments: published once, promoted by digest (see docs/infrastructure.md).
# Every account it grants is created by terraform/bootstrap, so it is applied right after bootstrap (bootstrap.sh, the
# first time), before the first image is pushed; later changes by infra.yml apply-shared with production's
# github-terraform account.
provider "google" {
  project = var.registry.project
  region  = var.registry.location
}

locals {
  # Names fixed by terraform/bootstrap (`gke-nodes`) and modules/github-oidc (`github-deployer`, `github-publisher`,
  # the publisher in the registry's project), all created by bootstrap.
  node_members     = [for env, project in var.environment_projects : "serviceAccount:gke-nodes@${project}.iam.gserviceaccount.com"]
  deployer_members = { for env, project in var.environment_projects : env => "serviceAccount:github-deployer@${project}.iam.gserviceaccount.com" }
  publisher_member = "serviceAccount:github-publisher@${var.registry.project}.iam.gserviceaccount.com"
}

module "registry" {
  source = "../modules/artifact-registry"

  project_id    = var.registry.project
  location      = var.registry.location
  repository_id = var.registry.repository
  # Clusters pull; every deployer may resolve a digest before it deploys.
  readers = concat(local.node_members, values(local.deployer_members))
  # Only the publish jobs push (tags are immutable, so they cannot rewrite what others deploy).
  writers = [local.publisher_member]
  labels = {
    app        = "maps-api"
    managed-by = "terraform"
  }
}
