locals {
  # GitHub's OIDC subject for a job that runs in a deployment environment.
  subject = "repo:${var.github_repository}:environment:${var.github_environment}"

  # Deploy with Helm (Kubernetes objects in the cluster) and nothing else project-wide.
  deployer_project_roles = ["roles/container.developer"]
}

resource "google_iam_workload_identity_pool" "github" {
  project                   = var.project_id
  workload_identity_pool_id = var.pool_id
  display_name              = "GitHub Actions"
  description               = "OIDC tokens from ${var.github_repository} (${var.github_environment} environment)"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  #checkov:skip=CKV_GCP_125:False positive: checkov does not render module variables; the condition pins sub to repo:OWNER/NAME:environment:ENV (terraform test asserts it).
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = var.provider_id
  display_name                       = "GitHub OIDC"
  # Tokens from any other repository or environment are rejected before any IAM check. The subject already names both;
  # the explicit repository and environment claims keep the rule readable.
  attribute_condition = "assertion.sub == '${local.subject}' && assertion.repository == '${var.github_repository}' && assertion.environment == '${var.github_environment}'"

  attribute_mapping = {
    "google.subject"         = "assertion.sub"
    "attribute.repository"   = "assertion.repository"
    "attribute.environment"  = "assertion.environment"
    "attribute.ref"          = "assertion.ref"
    "attribute.workflow_ref" = "assertion.job_workflow_ref"
  }

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = var.deployer_account_id
  display_name = "GitHub Actions deployer (${var.github_environment})"
}

# Only the one subject (this repository, this environment) may impersonate the deployer.
resource "google_service_account_iam_member" "deployer_wif" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/subject/${local.subject}"
}

resource "google_project_iam_member" "deployer" {
  for_each = toset(local.deployer_project_roles)
  project  = var.project_id
  role     = each.value
  member   = google_service_account.deployer.member
}

# Read (never write) this environment's Terraform state, to take outputs such as the cluster name.
resource "google_storage_bucket_iam_member" "state_reader" {
  bucket = var.state_bucket
  role   = "roles/storage.objectViewer"
  member = google_service_account.deployer.member

  condition {
    title       = "only-${var.github_environment}-state"
    description = "Objects under the ${var.state_prefix}/ prefix only"
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.state_bucket}/objects/${var.state_prefix}/\")"
  }
}
