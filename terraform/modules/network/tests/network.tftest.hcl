mock_provider "google" {
  override_during = plan
}

variables {
  project_id = "p-test"
  region     = "us-central1"
  name       = "maps-api-test"
}

run "private_nodes_have_google_access_and_nat_egress" {
  command = plan

  assert {
    condition     = google_compute_subnetwork.nodes.private_ip_google_access
    error_message = "Private Google Access lets private nodes reach BigQuery and Artifact Registry"
  }
  assert {
    condition     = google_compute_router_nat.this.source_subnetwork_ip_ranges_to_nat == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    error_message = "NAT covers nodes and pods"
  }
  assert {
    condition     = !google_compute_network.this.auto_create_subnetworks
    error_message = "custom-mode VPC"
  }
}

run "subnet_has_pod_and_service_ranges" {
  command = plan

  assert {
    condition     = [for r in google_compute_subnetwork.nodes.secondary_ip_range : r.range_name] == ["pods", "services"]
    error_message = "secondary ranges pods and services for a VPC-native cluster"
  }
}
