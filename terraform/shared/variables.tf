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
