variable "project_id" {
  description = "Project of the dataset (the environment's project)."
  type        = string
}

variable "dataset_id" {
  description = "Dataset name (environments.json `replica.dataset`)."
  type        = string
}

variable "location" {
  description = <<-EOT
    Dataset location. It MUST equal the source table's location (environments.json `replica.location`, e.g. "US"):
    BigQuery copy jobs cannot cross locations, and a dataset's location cannot be changed after creation.
  EOT
  type        = string
}

variable "source_table" {
  description = "project.dataset.table the replica copies (documentation and description only)."
  type        = string
}

variable "table_expiration_days" {
  description = "Default expiry of new tables (for versioned copies); null = never expire."
  type        = number
  default     = null
  validation {
    condition     = var.table_expiration_days == null || try(var.table_expiration_days >= 1, false)
    error_message = "table_expiration_days must be null or at least 1."
  }
}

variable "readers" {
  description = "IAM members granted dataViewer on this dataset only."
  type        = list(string)
  default     = []
}

variable "writers" {
  description = <<-EOT
    IAM members granted dataEditor on this dataset only (the copy job's identity), by a fixed name, e.g.
    { replica = "serviceAccount:maps-replica@PROJECT.iam.gserviceaccount.com" }: the names key the grants, so a member
    created in the same apply may be passed.
  EOT
  type        = map(string)
  default     = {}
}

variable "labels" {
  description = "Labels on the dataset."
  type        = map(string)
  default     = {}
}

variable "deletion_policy" {
  description = "PREVENT (Terraform refuses to delete the dataset; required by modules/environment in production) or DELETE."
  type        = string
  default     = "PREVENT"
  validation {
    condition     = contains(["PREVENT", "DELETE"], var.deletion_policy)
    error_message = "deletion_policy must be PREVENT or DELETE."
  }
}
