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
  value       = google_service_account.nodes.email
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
