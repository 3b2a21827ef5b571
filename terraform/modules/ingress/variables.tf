variable "project_id" {
  description = "The environment's project (the load balancer the GKE Ingress creates lives there)."
  type        = string
}

variable "environment" {
  description = "dev, staging or production (names the certificate)."
  type        = string
}

variable "host" {
  description = "The Ingress host (the env root's input), the name the certificate covers and the public check calls."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.host))
    error_message = "host must be a fully qualified lower-case DNS name."
  }
}

variable "address_name" {
  description = "Name of the global static IP (the chart's kubernetes.io/ingress.global-static-ip-name annotation)."
  type        = string
  default     = "maps-api-ingress"
}

variable "dns_managed_zone" {
  description = <<-EOT
    Cloud DNS managed zone in this project that serves host's domain; when set, the A record is created here. null: the
    domain lives elsewhere and its owner points host at the `ip_address` output (docs/infrastructure.md).
  EOT
  type        = string
  default     = null
}
