variable "projects" {
  description = "Every project of the platform (environments.json gcpProject of dev, staging, production)."
  type        = list(string)
}

variable "services" {
  description = "APIs enabled in every project."
  type        = list(string)
  default = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "binaryauthorization.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
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
  description = "Project that holds the state bucket (production's: the most guarded project)."
  type        = string
}

variable "state_bucket" {
  description = "Globally unique state bucket name; every root's backend.tf names it."
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
