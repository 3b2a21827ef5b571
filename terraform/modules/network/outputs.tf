output "network_id" {
  description = "Self link of the VPC."
  value       = google_compute_network.this.id
}

output "subnetwork_id" {
  description = "Self link of the nodes subnet."
  value       = google_compute_subnetwork.nodes.id
}

output "pods_range_name" {
  description = "Secondary range name the cluster uses for pods."
  value       = google_compute_subnetwork.nodes.secondary_ip_range[0].range_name
}

output "services_range_name" {
  description = "Secondary range name the cluster uses for Services."
  value       = google_compute_subnetwork.nodes.secondary_ip_range[1].range_name
}

output "private_google_access" {
  description = "Whether nodes without external IPs reach Google APIs."
  value       = google_compute_subnetwork.nodes.private_ip_google_access
}

output "control_plane_subnetwork_id" {
  description = "Self link of the subnet of the control plane's PSC endpoint."
  value       = google_compute_subnetwork.control_plane.id
}
