# Plan-only: the mock provider stands in for Google, the real provider schema still checks every attribute.
mock_provider "google" {
  override_during = plan

  mock_resource "google_service_account" {
    defaults = {
      email  = "gke-nodes@p-test.iam.gserviceaccount.com"
      member = "serviceAccount:gke-nodes@p-test.iam.gserviceaccount.com"
    }
  }
}

variables {
  project_id          = "p-test"
  name                = "c-test"
  region              = "us-central1"
  network_id          = "projects/p-test/global/networks/n"
  subnetwork_id       = "projects/p-test/regions/us-central1/subnetworks/s"
  pods_range_name     = "pods"
  services_range_name = "services"
}

run "nodes_are_private_and_pods_use_workload_identity" {
  command = plan

  assert {
    condition     = google_container_cluster.this.private_cluster_config[0].enable_private_nodes
    error_message = "nodes must have private IPs only"
  }
  assert {
    condition     = google_container_cluster.this.workload_identity_config[0].workload_pool == "p-test.svc.id.goog"
    error_message = "Workload Identity must be on, with the project's pool"
  }
  assert {
    condition     = google_container_node_pool.default.node_config[0].workload_metadata_config[0].mode == "GKE_METADATA"
    error_message = "the node pool must expose the GKE metadata server (Workload Identity), not node credentials"
  }
  assert {
    condition     = google_container_node_pool.default.node_config[0].metadata["disable-legacy-endpoints"] == "true"
    error_message = "legacy metadata endpoints must be off"
  }
}

run "cluster_is_hardened_and_on_a_release_channel" {
  command = plan

  assert {
    condition     = google_container_cluster.this.release_channel[0].channel == "REGULAR"
    error_message = "a release channel is required"
  }
  assert {
    condition     = google_container_cluster.this.datapath_provider == "ADVANCED_DATAPATH"
    error_message = "Dataplane V2 enforces NetworkPolicy"
  }
  assert {
    condition     = google_container_cluster.this.enable_shielded_nodes && google_container_node_pool.default.node_config[0].shielded_instance_config[0].enable_secure_boot
    error_message = "shielded nodes with secure boot"
  }
  assert {
    condition     = !google_container_cluster.this.master_auth[0].client_certificate_config[0].issue_client_certificate
    error_message = "no client certificate"
  }
  assert {
    condition     = length(google_container_cluster.this.master_authorized_networks_config[0].cidr_blocks) == 0
    error_message = "the public IP endpoint admits no network by default"
  }
  assert {
    condition     = google_container_node_pool.default.node_config[0].service_account == "gke-nodes@p-test.iam.gserviceaccount.com"
    error_message = "nodes run as the dedicated service account, not the Compute default"
  }
}

run "node_pool_autoscales_across_all_zones" {
  command = plan

  assert {
    condition     = google_container_cluster.this.location == "us-central1" && google_container_node_pool.default.location == "us-central1"
    error_message = "cluster and pool are regional"
  }
  assert {
    condition     = google_container_node_pool.default.autoscaling[0].total_min_node_count == 3 && google_container_node_pool.default.autoscaling[0].total_max_node_count == 6
    error_message = "autoscaling totals come from min_nodes/max_nodes"
  }
  assert {
    condition     = google_container_node_pool.default.autoscaling[0].location_policy == "BALANCED"
    error_message = "nodes are balanced across zones"
  }
}

run "deletion_protection_is_on_unless_turned_off" {
  command = plan

  assert {
    condition     = google_container_cluster.this.deletion_protection
    error_message = "deletion protection defaults to on"
  }
}

run "deletion_protection_can_be_off_for_disposable_clusters" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = !google_container_cluster.this.deletion_protection
    error_message = "the variable controls deletion protection"
  }
}

run "rejects_a_cluster_without_release_channel" {
  command = plan

  variables {
    release_channel = "UNSPECIFIED"
  }

  expect_failures = [var.release_channel]
}
