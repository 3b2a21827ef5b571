# Run by a person with Owner on the three projects (bootstrap.sh), before any other root and whenever the CI identities
# change. It creates everything the other roots' appliers need: APIs, state buckets, the WIF setup and every service
# account a workflow impersonates. From then on CI applies envs/<env> and shared with those accounts.
provider "google" {
  project = var.state_project
  # Owner's user credentials need a quota project for these APIs (bootstrap.sh also sets the ADC quota project).
  billing_project       = var.state_project
  user_project_override = true
}

locals {
  # envs/<env>/backend.tf names these (a test compares them).
  environment_state_buckets = { for env, project in var.environment_projects : env => "${var.state_bucket}-${env}" }
  node_accounts             = { for env, project in var.environment_projects : env => "${var.node_account_id}@${project}.iam.gserviceaccount.com" }

  project_services = flatten([
    for project in values(var.environment_projects) : [
      for service in var.services : { key = "${project}/${service}", project = project, service = service }
    ]
  ])
}

resource "google_project_service" "enabled" {
  for_each = { for ps in local.project_services : ps.key => ps }

  project            = each.value.project
  service            = each.value.service
  disable_on_destroy = false # destroying bootstrap must never switch an API off under a running cluster
}

# Bootstrap's own state (prefix bootstrap): Owners only, no CI account is granted anything here.
resource "google_storage_bucket" "state" {
  #checkov:skip=CKV_GCP_62:State reads and writes are recorded by Data Access audit logs (state_access below), not legacy usage logs.
  project  = var.state_project
  name     = var.state_bucket
  location = var.state_location

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true # every state write is recoverable
  }

  # Keep old state versions for a while, not forever.
  lifecycle_rule {
    condition {
      num_newer_versions = var.state_versions_kept
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  labels = {
    app        = "maps-api"
    managed-by = "terraform"
    purpose    = "terraform-state"
  }

  lifecycle {
    prevent_destroy = true
  }

  depends_on = [google_project_service.enabled]
}

# Who read or wrote state is recorded by Data Access audit logs (instead of legacy bucket access logs).
resource "google_project_iam_audit_config" "state_access" {
  project = var.state_project
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# One state bucket per environment, in that environment's project: envs/<env> (prefix env/<env>; production's also holds
# shared). Bucket-level grants to that environment's accounts only, so dev's identities never reach production state.
resource "google_storage_bucket" "environment_state" {
  #checkov:skip=CKV_GCP_62:State reads and writes are recorded by Data Access audit logs (environment_state_access), not legacy usage logs.
  for_each = var.environment_projects
  project  = each.value
  name     = local.environment_state_buckets[each.key]
  location = var.state_location

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = var.state_versions_kept
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  labels = {
    app         = "maps-api"
    environment = each.key
    managed-by  = "terraform"
    purpose     = "terraform-state"
  }

  lifecycle {
    prevent_destroy = true
  }

  depends_on = [google_project_service.enabled]
}

resource "google_project_iam_audit_config" "environment_state_access" {
  for_each = { for env, project in var.environment_projects : env => project if project != var.state_project }
  project  = each.value
  service  = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# Each environment's node account. Created here, not by its env root, so terraform/shared (the registry, which grants
# it read) is applied right after bootstrap, before the first image is pushed; the env root grants its GKE node role.
resource "google_service_account" "nodes" {
  for_each     = var.environment_projects
  project      = each.value
  account_id   = var.node_account_id
  display_name = "GKE nodes (${each.key})"
  description  = "Nodes of the ${each.key} cluster: GKE's node role (envs/${each.key}), registry read (terraform/shared)."

  depends_on = [google_project_service.enabled]
}

# Per environment project: WIF pool + provider pinned to the repository and its ids, and every CI account.
module "github" {
  source   = "../modules/github-oidc"
  for_each = var.environment_projects

  project_id             = each.value
  environment            = each.key
  github                 = var.github
  publish_environment    = each.key == var.registry_environment ? var.publish_environment : null
  state_bucket           = google_storage_bucket.environment_state[each.key].name
  env_root_project_roles = var.env_root_project_roles
  # The registry project's terraform account also applies terraform/shared (the one registry and its grants).
  terraform_extra_roles = each.key == var.registry_environment ? ["roles/artifactregistry.admin"] : []

  depends_on = [google_project_service.enabled] # iam, sts and iamcredentials first
}
