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

variable "keep_tag_prefixes" {
  description = "Versions with a tag starting with one of these are kept forever (release tags: what production runs)."
  type        = list(string)
  default     = ["v"]
  validation {
    condition     = length(var.keep_tag_prefixes) > 0
    error_message = "keep at least the release tags."
  }
}

variable "keep_recent_versions" {
  description = "Newest versions kept per image whatever their age (KEEP wins over DELETE); a multi-arch push counts several."
  type        = number
  default     = 50
}

variable "delete_older_than_days" {
  description = "Tagged versions older than this are deleted unless a KEEP policy keeps them; untagged ones never are."
  type        = number
  default     = 180
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
