variable "project_id" {
  description = "Project that holds the registry (environments.json `registry.gcpProject`)."
  type        = string
}

variable "location" {
  description = "Registry location (environments.json `registry.location`)."
  type        = string
}

variable "repository_id" {
  description = "Repository name (environments.json `registry.repository`)."
  type        = string
}

variable "keep_recent_versions" {
  description = "Newest versions kept whatever their age (KEEP wins over DELETE): production can always roll back."
  type        = number
  default     = 20
}

variable "delete_older_than_days" {
  description = "Versions older than this are deleted unless kept by keep_recent_versions."
  type        = number
  default     = 90
}

variable "readers" {
  description = "IAM members that pull images (the clusters' node service accounts, deployers that resolve digests)."
  type        = list(string)
  default     = []
}

variable "writers" {
  description = "IAM members that push images (the publishing identity only)."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels on the repository."
  type        = map(string)
  default     = {}
}
