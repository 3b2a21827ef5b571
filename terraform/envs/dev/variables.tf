# Descriptions, types, defaults and validation (production's guard rails included): modules/environment/variables.tf,
# but for host and oncall_email: the inputs with no value in this repository, refused here when a placeholder.
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
variable "oncall_email" {
  description = "The address every alert of this environment notifies (the on-call channel). No default: CI passes the repository variable MAPS_API_ONCALL_EMAIL_<ENV> (dagger call plan --oncall-email sets TF_VAR_oncall_email)."
  type        = string
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.oncall_email))
    error_message = "oncall_email = \"${var.oncall_email}\" is not an email address: set the repository variable MAPS_API_ONCALL_EMAIL_${upper(var.environment)} to the team's on-call address; CI passes it to this plan as TF_VAR_oncall_email (dagger call plan --oncall-email)."
  }
  validation {
    # RFC 2606 / 6761 names: mail to them reaches nobody, so every alert would be silent.
    condition     = !can(regex("@(.+\\.)?example\\.(com|net|org)$|\\.(example|test|invalid|localhost)$", lower(var.oncall_email)))
    error_message = "oncall_email = \"${var.oncall_email}\" is a placeholder (a reserved example name, which reaches nobody): set the repository variable MAPS_API_ONCALL_EMAIL_${upper(var.environment)} to the team's on-call address; CI passes it to this plan as TF_VAR_oncall_email (dagger call plan --oncall-email)."
  }
}
variable "edge" { type = any }
variable "alerting" { type = any }
variable "spend" { type = any }
