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
