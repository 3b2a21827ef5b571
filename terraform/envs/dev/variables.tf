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

variable "region" {
  description = "Region of the cluster and network (environments.json `region`)."
  type        = string
}

variable "cluster_name" {
  description = "GKE cluster name (environments.json `cluster`)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the chart (environments.json `namespace`)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows deploy here."
  type        = string
}

variable "state_bucket" {
  description = "Terraform state bucket created by terraform/bootstrap (must match backend.tf)."
  type        = string
}

variable "registry" {
  description = "The shared Artifact Registry repository (environments.json `registry`), created by terraform/shared."
  type = object({
    project    = string
    location   = string
    repository = string
  })
}

variable "replica" {
  description = "Replica dataset (environments.json `replica`); location must be the source table's location."
  type = object({
    source                = string
    dataset               = string
    location              = string
    table_expiration_days = optional(number)
  })
}

variable "network" {
  description = "Address ranges of the VPC and the control plane."
  type = object({
    nodes_cidr         = string
    pods_cidr          = string
    services_cidr      = string
    control_plane_cidr = string
  })
}

variable "authorized_networks" {
  description = "Networks allowed on the control plane's public IP endpoint (the DNS endpoint needs none)."
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
  default = []
}

variable "cluster" {
  description = "Per-environment cluster settings."
  type = object({
    release_channel     = string
    deletion_protection = bool
    machine_type        = string
    spot                = bool
    min_nodes           = number
    max_nodes           = number
  })
  # Production can never be planned without deletion protection, nor with fewer nodes than zones.
  validation {
    condition     = var.environment != "production" || (var.cluster.deletion_protection && var.cluster.min_nodes >= 3)
    error_message = "production must set cluster.deletion_protection = true and cluster.min_nodes >= 3 (one per zone)."
  }
}
