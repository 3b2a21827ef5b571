variable "environment_projects" {
  description = "environment => GCP project (environments.json gcpProject of dev, staging, production)."
  type        = map(string)
  validation {
    condition     = toset(keys(var.environment_projects)) == toset(["dev", "staging", "production"])
    error_message = "environment_projects names exactly dev, staging and production."
  }
}

variable "github" {
  description = <<-EOT
    The repository whose workflows act in the three projects, by name and immutable ids. No default: bootstrap.sh reads
    them with `gh api repos/OWNER/NAME` (TF_VAR_github), so a placeholder organisation can never be trusted.
  EOT
  type = object({
    repository          = string
    repository_id       = string
    repository_owner_id = string
  })
}

variable "registry_environment" {
  description = "The environment whose project holds the shared registry (environments.json registry.gcpProject): its pool also accepts the publish jobs."
  type        = string
  default     = "production"
}

variable "publish_environment" {
  description = "GitHub environment of the jobs that push images (main.yml publish, release.yml resolve)."
  type        = string
  default     = "publish"
}

variable "env_root_project_roles" {
  description = "The project roles envs/<env> grants (node and API accounts): the only ones its terraform account may grant. A test compares them with modules/environment."
  type        = list(string)
  default     = ["roles/bigquery.jobUser", "roles/container.defaultNodeServiceAccount"]
}

variable "node_account_id" {
  description = "account_id of each environment's node account (modules/environment and terraform/shared name it)."
  type        = string
  default     = "gke-nodes"
}

variable "services" {
  description = "APIs enabled in every project."
  type        = list(string)
  default = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "billingbudgets.googleapis.com",
    "binaryauthorization.googleapis.com",
    "cloudquotas.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "dns.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "serviceusage.googleapis.com",
    "storage.googleapis.com",
    "sts.googleapis.com",
  ]
}

variable "state_project" {
  description = "Project of bootstrap's own state bucket (production's: the most guarded project; Owners only)."
  type        = string
}

variable "state_bucket" {
  description = "Bootstrap's own state bucket; each environment's bucket is STATE_BUCKET-ENV in its own project."
  type        = string
}

variable "state_location" {
  description = "Bucket location."
  type        = string
  default     = "US"
}

variable "state_versions_kept" {
  description = "Noncurrent state versions kept per object."
  type        = number
  default     = 50
}
