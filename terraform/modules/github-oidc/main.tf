locals {
  plan_environment      = "${var.environment}-plan"
  accepted_environments = compact([var.environment, local.plan_environment, var.publish_environment])

  # What the environment root creates and grants, and nothing that reaches other projects or the WIF setup here.
  terraform_project_roles = concat([
    "roles/bigquery.dataOwner",
    "roles/binaryauthorization.policyEditor",
    "roles/cloudquotas.admin", # BigQuery's QueryUsagePerDay preference (modules/spend)
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/container.admin",
    "roles/dns.admin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountUser",
    "roles/monitoring.alertPolicyEditor",         # alert policies (modules/alerting, modules/spend)
    "roles/monitoring.notificationChannelEditor", # notification channels (modules/alerting)
    "roles/serviceusage.serviceUsageConsumer",
  ], var.terraform_extra_roles)

  # Every account a workflow impersonates, the one GitHub environment whose jobs may, and its least roles.
  all_accounts = {
    terraform = {
      account_id         = "github-terraform"
      github_environment = var.environment
      variable           = "TERRAFORM_SERVICE_ACCOUNT"
      project_roles      = local.terraform_project_roles
      state_role         = "roles/storage.objectAdmin" # state and its lock object
      description        = "terraform plan/apply of the ${var.environment} root (infra.yml apply-${var.environment})."
    }
    planner = {
      account_id         = "github-planner"
      github_environment = local.plan_environment
      variable           = "PLAN_SERVICE_ACCOUNT"
      project_roles      = ["roles/iam.securityReviewer", "roles/viewer"]
      state_role         = "roles/storage.objectViewer" # bucket-level, so storage.objects.list works; plans run -lock=false
      description        = "Read-only terraform plan of pull requests (environment ${local.plan_environment})."
    }
    deployer = {
      account_id         = "github-deployer"
      github_environment = var.environment
      variable           = "DEPLOY_SERVICE_ACCOUNT"
      project_roles      = ["roles/container.developer"] # Helm through the DNS endpoint (container.clusters.connect)
      state_role         = null
      description        = "Helm deploys and rollbacks to the ${var.environment} cluster."
    }
    replica = {
      account_id         = "maps-replica"
      github_environment = var.environment
      variable           = "REPLICA_SERVICE_ACCOUNT"
      # dataEditor: on the dataset only. clusterViewer: the cluster's DNS endpoint (container.clusters.get/connect) for
      # the post-refresh ban's port-forward; Kubernetes objects only through the chart's invalidator Role (RBAC).
      project_roles = ["roles/bigquery.jobUser", "roles/container.clusterViewer", "roles/monitoring.metricWriter"]
      state_role    = null
      description   = "replica.yml: copy jobs into the replica dataset, freshness metric, cache ban by port-forward."
    }
    publisher = {
      account_id         = "github-publisher"
      github_environment = var.publish_environment
      variable           = "PUBLISH_SERVICE_ACCOUNT"
      project_roles      = [] # push: artifactregistry.writer on the one repository (terraform/shared)
      state_role         = null
      description        = "Pushes images to the shared registry and tags releases (environment ${coalesce(var.publish_environment, "none")})."
    }
  }
  # The publisher exists only in the project that holds the registry.
  accounts = { for name, account in local.all_accounts : name => account if name != "publisher" || var.publish_environment != null }

  emails = { for name, account in local.accounts : name => "${account.account_id}@${var.project_id}.iam.gserviceaccount.com" }

  project_grants = merge([
    for name, account in local.accounts : { for role in account.project_roles : "${name} ${role}" => { account = name, role = role } }
  ]...)

  # Tokens are accepted only from this repository (by name and by its immutable ids) and these GitHub environments;
  # each account then trusts one exact subject. A job without `environment:` has another subject and is refused.
  attribute_condition = join(" && ", [
    "assertion.repository == '${var.github.repository}'",
    "assertion.repository_id == '${var.github.repository_id}'",
    "assertion.repository_owner_id == '${var.github.repository_owner_id}'",
    "assertion.sub.startsWith('repo:${var.github.repository}:environment:')",
    "assertion.environment in [${join(", ", [for e in local.accepted_environments : "'${e}'"])}]",
  ])
}

resource "google_iam_workload_identity_pool" "github" {
  project                   = var.project_id
  workload_identity_pool_id = var.pool_id
  display_name              = "GitHub Actions"
  description               = "OIDC tokens from ${var.github.repository} (${join(", ", local.accepted_environments)})"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  #checkov:skip=CKV_GCP_125:False positive: checkov does not render module variables; the condition pins repository, its ids and the environments (terraform test asserts it).
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = var.provider_id
  display_name                       = "GitHub OIDC"
  attribute_condition                = local.attribute_condition

  attribute_mapping = {
    "google.subject"                = "assertion.sub"
    "attribute.repository"          = "assertion.repository"
    "attribute.repository_id"       = "assertion.repository_id"
    "attribute.repository_owner_id" = "assertion.repository_owner_id"
    "attribute.environment"         = "assertion.environment"
    "attribute.workflow_ref"        = "assertion.job_workflow_ref"
  }

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "ci" {
  for_each     = local.accounts
  project      = var.project_id
  account_id   = each.value.account_id
  display_name = "GitHub Actions ${each.key} (${var.environment})"
  description  = each.value.description
}

# One exact subject per account: repo:OWNER/NAME:environment:<its GitHub environment>, through this pool.
resource "google_service_account_iam_member" "wif" {
  for_each           = local.accounts
  service_account_id = google_service_account.ci[each.key].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/subject/repo:${var.github.repository}:environment:${each.value.github_environment}"
}

resource "google_project_iam_member" "ci" {
  for_each = local.project_grants
  project  = var.project_id
  role     = each.value.role
  member   = google_service_account.ci[each.value.account].member
}

# The terraform account grants project roles, but only the environment root's own (IAM conditions on setIamPolicy).
resource "google_project_iam_member" "terraform_grants" {
  project = var.project_id
  role    = "roles/resourcemanager.projectIamAdmin"
  member  = google_service_account.ci["terraform"].member

  condition {
    title       = "only-env-root-roles"
    description = "May grant or revoke only the roles the ${var.environment} root grants."
    expression  = "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([${join(", ", [for r in sort(var.env_root_project_roles) : "'${r}'"])}])"
  }
}

# This environment's own bucket: no prefix condition (which cannot grant storage.objects.list), no other environment.
resource "google_storage_bucket_iam_member" "state" {
  for_each = { for name, account in local.accounts : name => account if account.state_role != null }
  bucket   = var.state_bucket
  role     = each.value.state_role
  member   = google_service_account.ci[each.key].member
}
