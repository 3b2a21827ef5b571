# Descriptions, types, defaults and validation (production's guard rails included): modules/environment/variables.tf,
# but for host: the one input with no value in this repository, refused here when it is a placeholder.
variable "environment" { type = string }
variable "project_id" { type = string }
variable "cluster_name" { type = string }
variable "cluster" { type = any }
variable "host" {
  description = "This environment's public host (Ingress, certificate, DNS). No default: CI passes the repository variable MAPS_API_HOST_<ENV> (dagger call plan --host sets TF_VAR_host)."
  type        = string
  validation {
    # RFC 2606 / 6761 names: no certificate can ever be issued for them, so the first deploy would never get HTTPS.
    condition     = !can(regex("(^|\\.)example\\.(com|net|org)$|(^|\\.)(example|test|invalid|localhost)$", lower(var.host)))
    error_message = "host = \"${var.host}\" is a placeholder (a reserved example name): set the repository variable MAPS_API_HOST_${upper(var.environment)} to a host whose DNS you control; CI passes it to this plan as TF_VAR_host (dagger call plan --host)."
  }
}
variable "edge" { type = any }
variable "alerting" { type = any }
variable "spend" { type = any }
