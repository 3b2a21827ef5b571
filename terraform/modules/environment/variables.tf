# The values that differ per environment come from the roots' terraform.tfvars; the defaults below are the facts all
# environments share (environments.json agrees with them: terraform/terraform.test.ts).

variable "environment" {
  description = "dev, staging or production (also the GitHub environment allowed to deploy here)."
  type        = string
  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be dev, staging or production."
  }
}

variable "project_id" {
  description = "This environment's GCP project (environments.json `gcpProject`)."
  type        = string
}

variable "cluster_name" {
  description = "GKE cluster name (environments.json `cluster`); the VPC is named after it."
  type        = string
}

variable "cluster" {
  description = "Cluster settings; the defaults are production's safe ones, disposable environments relax them."
  type = object({
    release_channel     = optional(string, "STABLE")
    deletion_protection = optional(bool, true)
    machine_type        = optional(string, "e2-standard-2")
    spot                = optional(bool, false)
    min_nodes           = optional(number, 3)
    max_nodes           = optional(number, 6)
  })
  default  = {}
  nullable = false
  # Production can never be planned without deletion protection, nor with fewer nodes than zones.
  validation {
    condition     = var.environment != "production" || (var.cluster.deletion_protection && var.cluster.min_nodes >= 3)
    error_message = "production must set cluster.deletion_protection = true and cluster.min_nodes >= 3 (one per zone)."
  }
}

variable "region" {
  description = "Region of the cluster and network (environments.json `region`)."
  type        = string
  default     = "us-central1"
}

variable "namespace" {
  description = "Kubernetes namespace of the chart (environments.json `namespace`)."
  type        = string
  default     = "maps-api"
}

variable "host" {
  description = "The Ingress host of this environment (the root's input: the repository variable MAPS_API_HOST_<ENV>): certificate, DNS."
  type        = string
}

variable "dns_managed_zone" {
  description = "Cloud DNS zone (in this project) serving host's domain; null: the domain's owner creates the A record."
  type        = string
  default     = null
}

variable "state_bucket_prefix" {
  description = "Bootstrap's state bucket name; this environment's bucket is PREFIX-ENV (must match the roots' backend.tf)."
  type        = string
  default     = "maps-api-tfstate"
}

variable "registry" {
  description = "The shared Artifact Registry repository (environments.json `registry`), created by terraform/shared."
  type = object({
    project    = string
    location   = string
    repository = string
  })
  default = {
    project    = "maps-api-production"
    location   = "us-central1"
    repository = "maps"
  }
}

variable "replica" {
  description = "Replica dataset (environments.json `replica`); location must be the source table's location."
  type = object({
    source                = string
    dataset               = string
    location              = string
    table_expiration_days = optional(number)
  })
  default = {
    source   = "carto-demo-data.demo_tilesets.osm_buildings"
    dataset  = "maps_replica"
    location = "US"
  }
}

variable "network" {
  description = "Address ranges of the VPC (each environment has its own VPC, never peered); control_plane: the subnet of the control plane's PSC endpoint."
  type = object({
    nodes_cidr         = string
    pods_cidr          = string
    services_cidr      = string
    control_plane_cidr = string
  })
  default = {
    nodes_cidr         = "10.10.0.0/20"
    pods_cidr          = "10.20.0.0/14"
    services_cidr      = "10.24.0.0/20"
    control_plane_cidr = "172.16.0.0/28"
  }
}

variable "authorized_networks" {
  description = "Networks allowed on the control plane's public IP endpoint (the DNS endpoint needs none)."
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
  default = []
}

variable "edge" {
  description = <<-EOT
    Cloud Armor in front of Varnish (modules/edge-security): rate_limit_preview = true logs the per-IP rate-based ban
    without enforcing it (an environment's first week); blocked_ip_ranges get 403 (docs/runbooks/api-outage.md).
  EOT
  type = object({
    rate_limit_preview = bool
    blocked_ip_ranges  = optional(list(string), [])
  })
}

variable "alerting" {
  description = <<-EOT
    Who is told (modules/alerting): notification_channels (key => type, labels, severities: critical pages, warning
    tickets), prometheus_alerts (the rule files' alerts as Cloud Monitoring policies: only where the chart deploys
    scraping and recording rules, values monitoring.rules; a test compares), runbook_base_url (prefix of runbook links).
  EOT
  type = object({
    prometheus_alerts = bool
    notification_channels = map(object({
      type       = string
      labels     = map(string)
      severities = list(string)
    }))
    runbook_base_url = optional(string, "")
  })
}

variable "spend" {
  description = <<-EOT
    Spend ceilings (modules/spend): bigquery_tib_per_day (the project's BigQuery QueryUsagePerDay quota; an hour
    billing 1/24 of it alerts) and budget (billing_account, monthly_amount, currency_code, thresholds).
  EOT
  type = object({
    bigquery_tib_per_day = number
    budget = object({
      billing_account = optional(string)
      monthly_amount  = number
      currency_code   = optional(string, "USD")
      thresholds      = optional(list(number), [0.5, 0.9, 1.0])
    })
  })
}
