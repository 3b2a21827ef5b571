variable "project_id" {
  description = "Project of the pool, provider and deployer service account (one per environment)."
  type        = string
}

variable "github_repository" {
  description = "owner/name of the repository whose workflows may deploy, e.g. example-org/maps-api."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "github_environment" {
  description = "GitHub deployment environment whose jobs may use this identity (dev, staging or production)."
  type        = string
}

variable "pool_id" {
  description = "Workload Identity pool id."
  type        = string
  default     = "github"
}

variable "provider_id" {
  description = "Workload Identity pool provider id."
  type        = string
  default     = "github"
}

variable "deployer_account_id" {
  description = "Deployer service account name."
  type        = string
  default     = "github-deployer"
}

variable "state_bucket" {
  description = "Terraform state bucket (bootstrap)."
  type        = string
}

variable "state_prefix" {
  description = "This environment's state prefix in the bucket."
  type        = string
}

variable "replica_account_id" {
  description = "Service account name of the BigQuery replica job (replica.yml)."
  type        = string
  default     = "maps-replica"
}
