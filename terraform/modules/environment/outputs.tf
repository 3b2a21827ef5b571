# The roots re-export the pipeline's outputs under the same names (envs/<env>/outputs.tf).
output "environment" {
  description = "Environment name."
  value       = var.environment
}

output "project_id" {
  description = "GCP project."
  value       = var.project_id
}

output "cluster_name" {
  description = "GKE cluster name."
  value       = module.gke.cluster_name
}

output "cluster_location" {
  description = "GKE cluster location (region)."
  value       = module.gke.location
}

output "cluster_dns_endpoint" {
  description = "IAM-guarded DNS endpoint of the control plane."
  value       = module.gke.dns_endpoint
}

output "registry_url" {
  description = "Docker URL of the shared registry (created by terraform/shared)."
  value       = "${var.registry.location}-docker.pkg.dev/${var.registry.project}/${var.registry.repository}"
}

output "api_service_account_email" {
  description = "Google service account of the API pods (Helm: serviceAccount annotation)."
  value       = module.api_identity.email
}

output "deployer_service_account_email" {
  description = "Service account the GitHub environment impersonates."
  value       = module.github.deployer_email
}

output "replica_service_account_email" {
  description = "Service account replica.yml impersonates (GitHub environment variable REPLICA_SERVICE_ACCOUNT)."
  value       = module.github.replica_email
}

output "workload_identity_provider" {
  description = "Full WIF provider name for google-github-actions/auth."
  value       = module.github.provider_name
}

output "node_service_account_email" {
  description = "Nodes' service account (terraform/shared grants it registry read)."
  value       = module.gke.node_service_account_email
}

output "replica_dataset" {
  description = "project.dataset of the replica."
  value       = module.replica.full_id
}

output "replica_location" {
  description = "Location of the replica dataset."
  value       = module.replica.location
}

# For the calling root's provider block and for tests (values as planned, compared with environments.json).
output "region" {
  description = "Region of the cluster and network."
  value       = var.region
}

output "labels" {
  description = "Labels on every resource (the root's provider default_labels)."
  value       = local.labels
}

output "facts" {
  description = "The values environments.json also records, and the state location, as this environment uses them."
  value = {
    environment  = var.environment
    project      = var.project_id
    region       = var.region
    cluster      = var.cluster_name
    namespace    = var.namespace
    registry     = var.registry
    replica      = { source = var.replica.source, dataset = var.replica.dataset, location = var.replica.location }
    state_bucket = var.state_bucket
    state_prefix = local.state_prefix
  }
}

output "cluster_settings" {
  description = "The cluster settings in effect (defaults filled in)."
  value       = var.cluster
}

output "deletion_protection" {
  description = "Whether Terraform refuses to delete the cluster (as planned)."
  value       = module.gke.deletion_protection
}

output "wif_attribute_condition" {
  description = "The WIF provider's attribute condition (repository and GitHub environment)."
  value       = module.github.attribute_condition
}
