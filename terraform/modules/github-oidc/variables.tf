variable "project_id" {
  description = "The environment's project: pool, provider and the CI service accounts live here."
  type        = string
}

variable "environment" {
  description = "dev, staging or production: the GitHub environment of apply, deploy and replica jobs."
  type        = string
  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be dev, staging or production."
  }
}

variable "github" {
  description = <<-EOT
    The repository whose workflows may act here, by name AND by its immutable ids (a deleted and re-created repository
    or organisation of the same name gets new ids): `gh api repos/OWNER/NAME --jq '.id, .owner.id'`.
  EOT
  type = object({
    repository          = string
    repository_id       = string
    repository_owner_id = string
  })
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github.repository))
    error_message = "github.repository must be OWNER/NAME."
  }
  validation {
    condition     = can(regex("^[1-9][0-9]*$", var.github.repository_id)) && can(regex("^[1-9][0-9]*$", var.github.repository_owner_id))
    error_message = "github.repository_id and github.repository_owner_id must be GitHub's numeric ids."
  }
  validation {
    condition     = !startswith(lower(var.github.repository), "example-org/")
    error_message = "github.repository is still the example-org placeholder: name the real repository."
  }
}

variable "publish_environment" {
  description = "GitHub environment of the publish jobs, when this project holds the registry (else null)."
  type        = string
  default     = null
}

variable "state_bucket" {
  description = "This environment's own state bucket (bootstrap): the terraform account writes it, the planner reads it."
  type        = string
}

variable "env_root_project_roles" {
  description = "The only project roles the environment root grants (to its node and API accounts): all the terraform account may grant."
  type        = list(string)
}

variable "terraform_extra_roles" {
  description = "Project roles the terraform account needs beyond the environment root's (production: the shared registry)."
  type        = list(string)
  default     = []
}

variable "pool_id" {
  description = "Workload Identity pool id (reserved for 30 days after deletion: a re-created pool needs a new id)."
  type        = string
  default     = "github"
}

variable "provider_id" {
  description = "Workload Identity pool provider id."
  type        = string
  default     = "github"
}
