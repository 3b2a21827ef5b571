# Plan-only: the mock provider stands in for Google, the real provider schema still checks every attribute.
mock_provider "google" {
  override_during = plan
}

variables {
  project_id                  = "p-test"
  name                        = "c-test"
  region                      = "us-central1"
  network_id                  = "projects/p-test/global/networks/n"
  subnetwork_id               = "projects/p-test/regions/us-central1/subnetworks/s"
  control_plane_subnetwork_id = "projects/p-test/regions/us-central1/subnetworks/cp"
  pods_range_name             = "pods"
  services_range_name         = "services"
  allowed_image_patterns      = ["us-central1-docker.pkg.dev/p-reg/maps/**"]
  node_service_account_email  = "gke-nodes@p-test.iam.gserviceaccount.com"
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

run "control_plane_uses_private_service_connect_not_vpc_peering" {
  command = plan

  # An override fills only what the configuration leaves to Google: a configured /28 would show through.
  override_resource {
    target          = google_container_cluster.this
    override_during = plan
    values          = { private_cluster_config = { master_ipv4_cidr_block = "left-to-gke" } }
  }

  assert {
    condition     = google_container_cluster.this.private_cluster_config[0].master_ipv4_cidr_block == "left-to-gke"
    error_message = "no master_ipv4_cidr_block: that is the legacy VPC-peering control plane; PSC is GKE's current default"
  }
  assert {
    condition     = google_container_cluster.this.private_cluster_config[0].private_endpoint_subnetwork == "projects/p-test/regions/us-central1/subnetworks/cp"
    error_message = "the PSC endpoint takes its address in the control-plane subnet (the range the chart's egress rules exclude)"
  }
}

run "ci_reaches_the_control_plane_through_the_dns_endpoint" {
  command = plan

  override_resource {
    target          = google_container_cluster.this
    override_during = plan
    values = {
      control_plane_endpoints_config = { dns_endpoint_config = { endpoint = "gke-0123abcd-1234.us-central1.gke.goog" } }
    }
  }

  assert {
    condition     = output.kubeconfig_server == "https://gke-0123abcd-1234.us-central1.gke.goog" && output.dns_endpoint == "gke-0123abcd-1234.us-central1.gke.goog"
    error_message = "the kubeconfig server the pipeline uses is the DNS endpoint (the output names the attribute it reads)"
  }
}

run "the_dns_endpoint_is_open_to_ci" {
  command = plan

  assert {
    condition     = google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].allow_external_traffic
    error_message = "CI's runners reach the DNS endpoint (authorised by IAM); the IP endpoint admits no network"
  }
}

run "upgrades_happen_only_in_the_maintenance_window" {
  command = plan

  assert {
    condition     = output.maintenance_window.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH" && output.maintenance_window.start_time == "2026-01-05T06:00:00Z" && output.maintenance_window.end_time == "2026-01-05T10:00:00Z"
    error_message = "Mon-Thu 06:00-10:00 UTC: four hours, four days a week (GKE needs 48 h in 32 days)"
  }
}

run "binary_authorization_admits_only_our_registry" {
  command = plan

  assert {
    condition = output.binary_authorization == {
      cluster_mode     = "PROJECT_SINGLETON_POLICY_ENFORCE"
      default_rule     = "ALWAYS_DENY"
      enforcement      = "ENFORCED_BLOCK_AND_AUDIT_LOG"
      allowed_patterns = ["us-central1-docker.pkg.dev/p-reg/maps/**"]
      system_images    = "ENABLE"
    }
    error_message = "the cluster enforces a project policy that denies everything but our registry (and Google's system images)"
  }
}

run "refuses_an_allow_everything_pattern" {
  command = plan

  variables {
    allowed_image_patterns = ["*"]
  }

  expect_failures = [var.allowed_image_patterns]
}

run "nodes_hold_gkes_node_role_and_the_pool_starts_with_nodes" {
  command = plan

  assert {
    condition     = output.node_project_roles == ["roles/container.defaultNodeServiceAccount"] && toset(keys(google_project_iam_member.nodes)) == toset(["roles/container.defaultNodeServiceAccount"])
    error_message = "roles/container.defaultNodeServiceAccount, nothing else"
  }
  assert {
    condition     = google_container_node_pool.default.initial_node_count == 1
    error_message = "min 3 over 3 zones: one node per zone at creation"
  }
}

run "initial_nodes_per_zone_follow_the_minimum" {
  command = plan

  variables {
    min_nodes = 4
    max_nodes = 9
  }

  assert {
    condition     = google_container_node_pool.default.initial_node_count == 2
    error_message = "4 nodes over 3 zones: 2 per zone at creation, so the minimum is met from the start"
  }
}

run "managed_prometheus_and_kube_state_metrics_packages_are_on" {
  command = plan

  assert {
    condition     = google_container_cluster.this.monitoring_config[0].managed_prometheus[0].enabled
    error_message = "GMP managed collection scrapes the chart's PodMonitorings"
  }
  assert {
    condition     = alltrue([for c in ["SYSTEM_COMPONENTS", "DEPLOYMENT", "POD", "HPA"] : contains(google_container_cluster.this.monitoring_config[0].enable_components, c)])
    error_message = "system metrics and GKE's kube-state-metrics packages for Deployments, Pods and HPAs"
  }
  assert {
    condition     = output.monitoring_components == tolist(["SYSTEM_COMPONENTS", "DEPLOYMENT", "POD", "HPA"])
    error_message = "the components the metric inventory test reads"
  }
}

run "refuses_kube_state_metrics_without_system_metrics" {
  command = plan

  variables {
    monitoring_components = ["DEPLOYMENT"]
  }

  expect_failures = [var.monitoring_components]
}
