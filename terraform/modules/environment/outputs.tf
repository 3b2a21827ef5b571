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
  description = "IAM-guarded DNS endpoint of the control plane = the cluster's controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint, which CI's kubeconfig targets."
  value       = module.gke.dns_endpoint
}

output "kubeconfig_server" {
  description = "https://<cluster_dns_endpoint>: the server of every kubeconfig (the IP endpoint admits no network)."
  value       = module.gke.kubeconfig_server
}

output "registry_url" {
  description = "Docker URL of the shared registry (created by terraform/shared)."
  value       = local.registry_url
}

output "api_service_account_email" {
  description = "Google service account of the API pods (Helm: serviceAccount annotation)."
  value       = module.api_identity.email
}

output "service_accounts_created" {
  description = "The accounts this root creates (by name, known at plan): the API pods'."
  value       = { for role, id in local.account_ids : role => "${id}@${var.project_id}.iam.gserviceaccount.com" }
}

output "ci_service_accounts" {
  description = "The CI accounts (created by terraform/bootstrap) this environment refers to, by role."
  value       = local.ci_accounts
}

output "ingress" {
  description = "Static IP name and address, certificate name and the Ingress annotations the chart needs."
  value = {
    address_name     = module.ingress.address_name
    ip_address       = module.ingress.ip_address
    certificate_name = module.ingress.certificate_name
    annotations      = module.ingress.ingress_annotations
    dns_record       = module.ingress.dns_record
  }
}

output "edge" {
  description = "Cloud Armor and SSL policy names the chart's BackendConfig and FrontendConfig refer to, and the rate limit in effect."
  value = {
    security_policy = module.edge.security_policy_name
    ssl_policy      = module.edge.ssl_policy_name
    rate_limit      = module.edge.rate_limit
    blocked_rules   = module.edge.blocked_rules
  }
}

output "alerting" {
  description = "Who is told about what: severity => channel keys, the alerts with policies here, the GKE metric components."
  value = {
    routing               = module.alerting.routing
    prometheus_alerts     = module.alerting.prometheus_alerts
    alerts                = module.alerting.alerts
    monitoring_components = module.gke.monitoring_components
    placeholder_channels  = module.alerting.placeholder_channels
  }
}

output "spend" {
  description = "The spend ceilings in effect: BigQuery query bytes per day, the hourly alert, the most BigQuery costs a day, the budget."
  value = {
    bigquery_query_mib_per_day  = module.spend.bigquery_query_mib_per_day
    bytes_billed_alert_per_hour = module.spend.bytes_billed_alert_per_hour
    bigquery_usd_per_day_max    = module.spend.bigquery_usd_per_day_max
    budget                      = module.spend.budget
  }
}

output "project_roles_granted" {
  description = "Every project-level role this environment grants (bootstrap lets its terraform account grant exactly these)."
  value       = sort(distinct(concat(module.gke.node_project_roles, module.api_identity.project_roles)))
}

output "node_service_account_email" {
  description = "Nodes' service account (created by bootstrap; terraform/shared grants it registry read)."
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
    host         = var.host
    registry     = var.registry
    replica      = { source = var.replica.source, dataset = var.replica.dataset, location = var.replica.location }
    state_bucket = local.state_bucket
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

output "workload_identity_member" {
  description = "The Kubernetes identity allowed to act as the API's service account (names the cluster's pool)."
  value       = module.api_identity.workload_identity_member
}

output "maintenance_window" {
  description = "GKE's recurring maintenance window."
  value       = module.gke.maintenance_window
}

output "binary_authorization" {
  description = "The admission policy the cluster enforces."
  value       = module.gke.binary_authorization
}

output "replica_deletion_policy" {
  description = "PREVENT: Terraform refuses to delete the replica dataset."
  value       = module.replica.deletion_policy
}
