locals {
  # GitHub's OIDC subject for a job that runs in a deployment environment.
  subject = "repo:${var.github_repository}:environment:${var.github_environment}"

  # Deploy with Helm (Kubernetes objects in the cluster) and nothing else project-wide.
  deployer_project_roles = ["roles/container.developer"]

  # The replica job (.github/workflows/replica.yml) runs copy and verification jobs billed to this project and writes
  # one freshness point; what it may write is granted on the replica dataset only (modules/bigquery-replica `writers`).
  replica_project_roles = ["roles/bigquery.jobUser", "roles/monitoring.metricWriter"]

  # Workflows running in this repository's GitHub environment: the only principal allowed to act as either account.
  environment_principal = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/subject/${local.subject}"
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
  member             = local.environment_principal
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

resource "google_service_account" "replica" {
  project      = var.project_id
  account_id   = var.replica_account_id
  display_name = "BigQuery replica job (${var.github_environment})"
  description  = "Impersonated by replica.yml in the ${var.github_environment} GitHub environment: copy jobs into the replica dataset, freshness metric."
}

# Same subject as the deployer: this repository's workflows in this GitHub environment, through the same provider.
resource "google_service_account_iam_member" "replica_wif" {
  service_account_id = google_service_account.replica.name
  role               = "roles/iam.workloadIdentityUser"
  member             = local.environment_principal
}

resource "google_project_iam_member" "replica" {
  for_each = toset(local.replica_project_roles)
  project  = var.project_id
  role     = each.value
  member   = google_service_account.replica.member
}
