variable "project_id" {
  description = "Project of the cluster, the service account and the readable datasets."
  type        = string
}

variable "account_id" {
  description = "Google service account name (email ACCOUNT_ID@PROJECT.iam.gserviceaccount.com)."
  type        = string
  default     = "maps-api"
}

variable "namespace" {
  description = "Kubernetes namespace of the chart."
  type        = string
  default     = "maps-api"
}

variable "kubernetes_service_account" {
  description = "Kubernetes service account of the API pods (the chart's)."
  type        = string
  default     = "maps-api"
}

variable "readable_datasets" {
  description = "Dataset ids in project_id the API may read (the replica dataset). Nothing else is readable."
  type        = list(string)
}

variable "workload_pool" {
  description = "The cluster's Workload Identity pool, PROJECT.svc.id.goog, passed from the cluster resource (orders the binding after it)."
  type        = string
  validation {
    condition     = endswith(var.workload_pool, ".svc.id.goog")
    error_message = "workload_pool is the cluster's workload_identity_config.workload_pool (PROJECT.svc.id.goog)."
  }
}
