# One environment of maps-api: every module wired together. The roots in envs/<env>/ call this with their values.
locals {
  labels = {
    app         = "maps-api"
    environment = var.environment
    managed-by  = "terraform"
  }
  # Must equal the prefix in the calling root's backend.tf (a test compares them): the deployer reads only this prefix.
  state_prefix = "env/${var.environment}"
}

module "network" {
  source = "../network"

  project_id    = var.project_id
  region        = var.region
  name          = var.cluster_name
  nodes_cidr    = var.network.nodes_cidr
  pods_cidr     = var.network.pods_cidr
  services_cidr = var.network.services_cidr
}

module "gke" {
  source = "../gke"

  project_id          = var.project_id
  name                = var.cluster_name
  region              = var.region
  network_id          = module.network.network_id
  subnetwork_id       = module.network.subnetwork_id
  pods_range_name     = module.network.pods_range_name
  services_range_name = module.network.services_range_name
  control_plane_cidr  = var.network.control_plane_cidr
  authorized_networks = var.authorized_networks
  release_channel     = var.cluster.release_channel
  deletion_protection = var.cluster.deletion_protection
  machine_type        = var.cluster.machine_type
  spot                = var.cluster.spot
  min_nodes           = var.cluster.min_nodes
  max_nodes           = var.cluster.max_nodes
  labels              = local.labels
}

module "replica" {
  source = "../bigquery-replica"

  project_id            = var.project_id
  dataset_id            = var.replica.dataset
  location              = var.replica.location
  source_table          = var.replica.source
  table_expiration_days = var.replica.table_expiration_days
  labels                = local.labels

  # The replica job's own account (modules/github-oidc) edits this dataset and nothing else.
  writers = { replica = module.github.replica_member }
}

module "api_identity" {
  source = "../workload-identity"

  project_id                 = var.project_id
  namespace                  = var.namespace
  kubernetes_service_account = "maps-api"
  account_id                 = "maps-api"
  readable_datasets          = [module.replica.dataset_id]
}

module "github" {
  source = "../github-oidc"

  project_id         = var.project_id
  github_repository  = var.github_repository
  github_environment = var.environment
  state_bucket       = var.state_bucket
  state_prefix       = local.state_prefix
}
