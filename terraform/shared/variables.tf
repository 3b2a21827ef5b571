variable "registry" {
  description = "environments.json `registry`: where the one Docker repository lives."
  type = object({
    project    = string
    location   = string
    repository = string
  })
}

variable "environment_projects" {
  description = "environment => GCP project; each one's nodes pull and each one's deployer resolves digests."
  type        = map(string)
}

variable "publisher_environment" {
  description = "The GitHub environment whose deployer pushes images (the first stage of the pipeline)."
  type        = string
  default     = "dev"
  validation {
    condition     = contains(["dev", "staging", "production"], var.publisher_environment)
    error_message = "publisher_environment must be dev, staging or production."
  }
}
