output "cluster_name" {
  description = "Cluster name, for `gcloud container clusters get-credentials`."
  value       = google_container_cluster.this.name
}

output "location" {
  description = "Cluster location (its region)."
  value       = google_container_cluster.this.location
}

output "dns_endpoint" {
  description = "IAM-guarded DNS endpoint of the control plane (CI deploys through it)."
  value       = google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}

output "node_service_account_email" {
  description = "Nodes' service account (needs Artifact Registry read on the shared registry)."
  value       = var.node_service_account_email
}

output "workload_pool" {
  description = "Workload Identity pool of the cluster."
  value       = google_container_cluster.this.workload_identity_config[0].workload_pool
}

output "private_nodes" {
  description = "Whether nodes have only private IPs."
  value       = google_container_cluster.this.private_cluster_config[0].enable_private_nodes
}

output "deletion_protection" {
  description = "Whether Terraform refuses to delete the cluster."
  value       = google_container_cluster.this.deletion_protection
}

output "kubeconfig_server" {
  description = "The only API server address CI and people use: https:// + the DNS endpoint (public CA, IAM-authorised)."
  value       = "https://${google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}"
}

output "dns_endpoint_open" {
  description = "Whether the DNS endpoint accepts traffic from outside the VPC (CI's runners)."
  value       = google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].allow_external_traffic
}

output "node_project_roles" {
  description = "Project roles of the nodes' service account."
  value       = local.node_project_roles
}

output "maintenance_window" {
  description = "The recurring maintenance window in effect."
  value       = google_container_cluster.this.maintenance_policy[0].recurring_window[0]
}

output "binary_authorization" {
  description = "The enforced admission policy: default rule and allow-list."
  value = {
    cluster_mode     = google_container_cluster.this.binary_authorization[0].evaluation_mode
    default_rule     = google_binary_authorization_policy.this.default_admission_rule[0].evaluation_mode
    enforcement      = google_binary_authorization_policy.this.default_admission_rule[0].enforcement_mode
    allowed_patterns = [for p in google_binary_authorization_policy.this.admission_whitelist_patterns : p.name_pattern]
    system_images    = google_binary_authorization_policy.this.global_policy_evaluation_mode
  }
}

output "monitoring_components" {
  description = "GKE components exposing metrics (system metrics and the managed kube-state-metrics packages), as planned."
  value       = var.monitoring_components
}
