# Nodes run as their own minimal service account, never the Compute default (which has project Editor). terraform/bootstrap
# creates it, so the shared registry can grant it read before any environment exists; this module grants its role.
locals {
  # GKE's own least-privilege role for node service accounts (logging, monitoring, metadata; kept current by Google).
  node_project_roles = ["roles/container.defaultNodeServiceAccount"]
}

resource "google_project_iam_member" "nodes" {
  for_each = toset(local.node_project_roles)
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${var.node_service_account_email}"
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_12:Dataplane V2 (ADVANCED_DATAPATH) enforces NetworkPolicy; the Calico network_policy block must not be set with it.
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Workspace domain the project does not have; access is IAM (deployer only).
  project  = var.project_id
  name     = var.name
  location = var.region # regional: control plane and nodes in every zone of the region

  deletion_protection = var.deletion_protection

  # The default pool cannot be configured well; the managed pool below replaces it.
  remove_default_node_pool = true
  initial_node_count       = 1

  network         = var.network_id
  subnetwork      = var.subnetwork_id
  networking_mode = "VPC_NATIVE"
  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  # Private Service Connect control plane (GKE's default for new clusters): no master_ipv4_cidr_block, no VPC peering;
  # its private endpoint takes an address in a subnet of its own.
  private_cluster_config {
    enable_private_nodes        = true
    enable_private_endpoint     = false
    private_endpoint_subnetwork = var.control_plane_subnetwork_id
  }

  # The public IP endpoint only accepts the listed networks (none by default); operators and CI use the DNS endpoint,
  # which is authorised by IAM (the deployer's custom role mapsApiDeployer), so no runner IP range has to be allow-listed.
  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled = false
    dynamic "cidr_blocks" {
      for_each = var.authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr_block
        display_name = cidr_blocks.value.display_name
      }
    }
  }

  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  release_channel {
    channel = var.release_channel
  }

  # Upgrades (control plane and auto-upgraded nodes, which drain the single Varnish pod) only in this quiet window.
  maintenance_policy {
    recurring_window {
      start_time = var.maintenance_window.start_time
      end_time   = var.maintenance_window.end_time
      recurrence = var.maintenance_window.recurrence
    }
  }

  # Dataplane V2 (eBPF) enforces Kubernetes NetworkPolicy without the Calico add-on.
  datapath_provider = "ADVANCED_DATAPATH"

  enable_shielded_nodes       = true
  enable_intranode_visibility = true

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  # System metrics plus GKE's managed kube-state-metrics packages (var.monitoring_components): the kubernetes alerts
  # read them; GMP managed collection scrapes the chart's PodMonitorings.
  monitoring_config {
    enable_components = var.monitoring_components
    managed_prometheus {
      enabled = true
    }
  }

  resource_labels = var.labels

  # Only the default pool (removed right after creation) uses this; it keeps even that pool off the legacy metadata.
  node_config {
    service_account = var.node_service_account_email
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }

  lifecycle {
    ignore_changes = [node_config] # belongs to the removed default pool
  }
}

# The project's admission policy, which the cluster enforces (PROJECT_SINGLETON_POLICY_ENFORCE): without it the project
# default allows every image. Only our registry's images run; Google's system images stay allowed.
resource "google_binary_authorization_policy" "this" {
  project                       = var.project_id
  description                   = "maps-api: images from the project's registry only"
  global_policy_evaluation_mode = "ENABLE"

  dynamic "admission_whitelist_patterns" {
    for_each = var.allowed_image_patterns
    content {
      name_pattern = admission_whitelist_patterns.value
    }
  }

  default_admission_rule {
    evaluation_mode  = "ALWAYS_DENY"
    enforcement_mode = "ENFORCED_BLOCK_AND_AUDIT_LOG"
  }
}

resource "google_container_node_pool" "default" {
  project  = var.project_id
  name     = "default"
  cluster  = google_container_cluster.this.id
  location = var.region

  # Per zone, at creation only (the autoscaler owns the size afterwards; changing it would re-create the pool).
  initial_node_count = max(1, ceil(var.min_nodes / var.zone_count))

  # Totals across zones: the BALANCED policy spreads nodes evenly, so API pods and Varnish survive a zone loss.
  autoscaling {
    total_min_node_count = var.min_nodes
    total_max_node_count = var.max_nodes
    location_policy      = "BALANCED"
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  upgrade_settings {
    max_surge       = 1
    max_unavailable = 0
  }

  node_config {
    machine_type    = var.machine_type
    disk_size_gb    = var.disk_size_gb
    disk_type       = "pd-balanced"
    image_type      = "COS_CONTAINERD"
    spot            = var.spot
    service_account = var.node_service_account_email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"] # IAM, not scopes, limits access
    labels          = var.labels

    metadata = {
      disable-legacy-endpoints = "true"
    }

    workload_metadata_config {
      mode = "GKE_METADATA" # pods get their Workload Identity, never the node's credentials
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }

  lifecycle {
    ignore_changes = [initial_node_count]
  }

  # Nodes register with their role in place, and no workload is admitted before the admission policy exists.
  depends_on = [google_project_iam_member.nodes, google_binary_authorization_policy.this]
}
