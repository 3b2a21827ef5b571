# The same in every environment root (a test compares them): the environment's own values are in terraform.tfvars,
# its state bucket and prefix in backend.tf, everything else in modules/environment. Applied after terraform/bootstrap
# (APIs, state bucket, CI identities) by this environment's github-terraform account.
provider "google" {
  project        = var.project_id
  region         = module.environment.region
  default_labels = module.environment.labels
}

module "environment" {
  source = "../../modules/environment"

  environment  = var.environment
  project_id   = var.project_id
  cluster_name = var.cluster_name
  cluster      = var.cluster
  host         = var.host
  edge         = var.edge
  # The on-call channel's address is an input (variables.tf), never a value of the repository.
  alerting = merge(var.alerting, {
    notification_channels = merge(var.alerting.notification_channels, {
      oncall = { type = "email", labels = { email_address = var.oncall_email }, severities = ["critical", "warning"] }
    })
  })
  spend = var.spend
}
