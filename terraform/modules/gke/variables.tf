variable "project_id" {
  description = "GCP project of the cluster."
  type        = string
}

variable "name" {
  description = "Cluster name (environments.json `cluster`)."
  type        = string
}

variable "region" {
  description = "Region of the regional cluster and its node pool."
  type        = string
}

variable "network_id" {
  description = "VPC self link (network module)."
  type        = string
}

variable "subnetwork_id" {
  description = "Subnet self link (network module)."
  type        = string
}

variable "control_plane_subnetwork_id" {
  description = "Subnet (network module) where the control plane's Private Service Connect endpoint gets its address."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range for pods."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range for Services."
  type        = string
}

variable "authorized_networks" {
  description = "Networks allowed to reach the public IP endpoint. Empty: only the IAM-guarded DNS endpoint is usable."
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
  default = []
}

variable "release_channel" {
  description = "GKE release channel."
  type        = string
  default     = "REGULAR"
  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE (a channel is required: no unmanaged versions)."
  }
}

variable "deletion_protection" {
  description = "Refuse `terraform destroy` of the cluster."
  type        = bool
  default     = true
}

variable "machine_type" {
  description = "Node machine type."
  type        = string
  default     = "e2-standard-2"
}

variable "disk_size_gb" {
  description = "Boot disk per node."
  type        = number
  default     = 50
}

variable "spot" {
  description = "Use Spot VMs (cheap, preemptible: for dev only)."
  type        = bool
  default     = false
}

variable "min_nodes" {
  description = "Minimum nodes in the pool, all zones together."
  type        = number
  default     = 3
}

variable "max_nodes" {
  description = "Maximum nodes in the pool, all zones together."
  type        = number
  default     = 6
  validation {
    condition     = var.max_nodes >= 1
    error_message = "max_nodes must be at least 1."
  }
}

variable "node_service_account_email" {
  description = "The nodes' service account, created by terraform/bootstrap (the shared registry grants it read by this name)."
  type        = string
}

variable "labels" {
  description = "Labels on the cluster and its nodes."
  type        = map(string)
  default     = {}
}

variable "zone_count" {
  description = "Zones the regional pool spans (GKE's default for a region: 3); initial nodes per zone derive from it."
  type        = number
  default     = 3
}

variable "maintenance_window" {
  description = <<-EOT
    When GKE may upgrade the control plane and nodes (UTC, RFC 5545 recurrence). GKE requires 48 h of availability in
    any 32 days: Mon-Thu 06:00-10:00 UTC (16 h a week; 01:00-05:00 US Eastern in winter, 02:00-06:00 in summer: the lowest
    traffic) gives ~70 h.
  EOT
  type = object({
    start_time = string
    end_time   = string
    recurrence = string
  })
  default = {
    start_time = "2026-01-05T06:00:00Z"
    end_time   = "2026-01-05T10:00:00Z"
    recurrence = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH"
  }
}

variable "allowed_image_patterns" {
  description = "Binary Authorization allow-list (e.g. REGION-docker.pkg.dev/PROJECT/REPO/**); every other image is refused."
  type        = list(string)
  validation {
    condition     = length(var.allowed_image_patterns) > 0 && alltrue([for p in var.allowed_image_patterns : !startswith(p, "*")])
    error_message = "allowed_image_patterns names at least one registry path and never allows everything."
  }
}

variable "monitoring_components" {
  description = <<-EOT
    GKE components whose metrics Cloud Monitoring receives. SYSTEM_COMPONENTS is required; DEPLOYMENT, POD and HPA are
    GKE's managed kube-state-metrics packages (kube_deployment_*, kube_pod_*, kube_horizontalpodautoscaler_*), which
    the alert rules and the runbooks read. monitoring/metric-inventory.test.ts fails if a rule reads a metric no enabled
    component exports.
  EOT
  type        = list(string)
  default     = ["SYSTEM_COMPONENTS", "DEPLOYMENT", "POD", "HPA"]
  validation {
    condition     = contains(var.monitoring_components, "SYSTEM_COMPONENTS")
    error_message = "monitoring_components needs SYSTEM_COMPONENTS (GKE collects kube state metrics only with system metrics on)."
  }
}
