# One environment of maps-api: every module wired together. The roots in envs/<env>/ call this with their values.
locals {
  labels = {
    app         = "maps-api"
    environment = var.environment
    managed-by  = "terraform"
  }
  # Must equal the calling root's backend.tf (a test compares them); bootstrap creates the bucket in this project.
  state_bucket = "${var.state_bucket_prefix}-${var.environment}"
  state_prefix = "env/${var.environment}"

  registry_url = "${var.registry.location}-docker.pkg.dev/${var.registry.project}/${var.registry.repository}"

  # Created by terraform/bootstrap, applied before this root: referred to by their fixed names (the nodes' account too,
  # so the shared registry can grant it read before this root exists).
  node_account = "gke-nodes@${var.project_id}.iam.gserviceaccount.com"
  ci_accounts = {
    terraform = "github-terraform@${var.project_id}.iam.gserviceaccount.com"
    planner   = "github-planner@${var.project_id}.iam.gserviceaccount.com"
    deployer  = "github-deployer@${var.project_id}.iam.gserviceaccount.com"
    replica   = "maps-replica@${var.project_id}.iam.gserviceaccount.com"
  }

  # Created here.
  account_ids = { api = "maps-api" }
}

module "network" {
  source = "../network"

  project_id         = var.project_id
  region             = var.region
  name               = var.cluster_name
  nodes_cidr         = var.network.nodes_cidr
  pods_cidr          = var.network.pods_cidr
  services_cidr      = var.network.services_cidr
  control_plane_cidr = var.network.control_plane_cidr
}

module "gke" {
  source = "../gke"

  project_id                  = var.project_id
  name                        = var.cluster_name
  region                      = var.region
  network_id                  = module.network.network_id
  subnetwork_id               = module.network.subnetwork_id
  control_plane_subnetwork_id = module.network.control_plane_subnetwork_id
  pods_range_name             = module.network.pods_range_name
  services_range_name         = module.network.services_range_name
  authorized_networks         = var.authorized_networks
  release_channel             = var.cluster.release_channel
  deletion_protection         = var.cluster.deletion_protection
  machine_type                = var.cluster.machine_type
  spot                        = var.cluster.spot
  min_nodes                   = var.cluster.min_nodes
  max_nodes                   = var.cluster.max_nodes
  labels                      = local.labels
  node_service_account_email  = local.node_account
  # Binary Authorization: only images from the one registry are admitted.
  allowed_image_patterns = ["${local.registry_url}/**"]
}

module "replica" {
  source = "../bigquery-replica"

  project_id            = var.project_id
  dataset_id            = var.replica.dataset
  location              = var.replica.location
  source_table          = var.replica.source
  table_expiration_days = var.replica.table_expiration_days
  labels                = local.labels
  # A protected environment's replica is protected too (production: always, see var.cluster's validation).
  deletion_policy = var.cluster.deletion_protection ? "PREVENT" : "DELETE"

  # The replica job's own account (created by bootstrap) edits this dataset and nothing else.
  writers = { replica = "serviceAccount:${local.ci_accounts.replica}" }
}

module "api_identity" {
  source = "../workload-identity"

  project_id                 = var.project_id
  namespace                  = var.namespace
  kubernetes_service_account = "maps-api"
  account_id                 = local.account_ids.api
  readable_datasets          = [module.replica.dataset_id]
  # The cluster's attribute, so the binding is created after the cluster has created the pool.
  workload_pool = module.gke.workload_pool
}

module "ingress" {
  source = "../ingress"

  project_id       = var.project_id
  environment      = var.environment
  host             = var.host
  dns_managed_zone = var.dns_managed_zone
}

module "edge" {
  source = "../edge-security"

  project_id        = var.project_id
  environment       = var.environment
  rate_limit        = { preview = var.edge.rate_limit_preview }
  blocked_ip_ranges = var.edge.blocked_ip_ranges
}

# The chart's rule files are the one copy of the alert rules (promtool-tested in monitoring/); CI's terraform container
# mounts them next to terraform/ (ci/src/terraform.ts).
locals {
  rules_dir  = "${path.module}/../../../charts/maps-api/files/monitoring"
  rule_files = { for name in fileset(local.rules_dir, "*.yaml") : name => file("${local.rules_dir}/${name}") }
}

module "alerting" {
  source = "../alerting"

  project_id            = var.project_id
  environment           = var.environment
  notification_channels = var.alerting.notification_channels
  rule_files            = local.rule_files
  prometheus_alerts     = var.alerting.prometheus_alerts
  runbook_base_url      = var.alerting.runbook_base_url
}

module "spend" {
  source = "../spend"

  project_id           = var.project_id
  environment          = var.environment
  bigquery_tib_per_day = var.spend.bigquery_tib_per_day
  budget               = var.spend.budget
  # Spend is told like a warning alert: to the channels that take warnings.
  notification_channel_ids = module.alerting.channel_ids_by_severity["warning"]
  runbook_base_url         = var.alerting.runbook_base_url
}
