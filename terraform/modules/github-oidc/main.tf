locals {
  # The deployer holds exactly what the chart's kinds and the deploy program need (no roles/container.developer, which
  # cannot create the chart's Role/RoleBinding and grants every other kind): kind => the GKE IAM resource of its
  # permissions (docs.cloud.google.com/iam/docs/roles-permissions/container). terraform/deployer-grants.test.ts renders
  # the chart in every environment (helm test pod included) and requires exactly these kinds; CRDs without permissions
  # of their own (Managed Prometheus) are thirdPartyObjects.
  deployer_chart_kinds = {
    BackendConfig       = "backendConfigs"
    ConfigMap           = "configMaps"
    Deployment          = "deployments"
    FrontendConfig      = "frontendConfigs"
    GlobalRules         = "thirdPartyObjects"
    Ingress             = "ingresses"
    NetworkPolicy       = "networkPolicies"
    Pod                 = "pods"
    PodDisruptionBudget = "podDisruptionBudgets"
    PodMonitoring       = "thirdPartyObjects"
    Role                = "roles"
    RoleBinding         = "roleBindings"
    Rules               = "thirdPartyObjects"
    Service             = "services"
    ServiceAccount      = "serviceAccounts"
  }
  # helm upgrade --install/rollback/uninstall and --wait: get, list (watch), create, update (patch), delete.
  deployer_verbs = ["create", "delete", "get", "list", "update"]
  # What the deploy program (ci/deploy) and its kubeconfig need besides the chart's objects, each for one step.
  deployer_program_permissions = {
    "container.clusters.get"      = "gcloud container clusters describe: the DNS endpoint's name"
    "container.clusters.connect"  = "the DNS endpoint itself"
    "container.namespaces.create" = "namespace step: create it"
    "container.namespaces.get"    = "namespace step: read its Pod Security labels"
    "container.namespaces.update" = "namespace step: add missing labels"
    "container.secrets.create"    = "helm's release records (Secrets)"
    "container.secrets.delete"    = "helm's release records (history-max, uninstall)"
    "container.secrets.get"       = "helm's release records"
    "container.secrets.list"      = "helm's release records (history)"
    "container.secrets.update"    = "helm's release records (status)"
    "container.events.list"       = "why pods are not ready (Warning events)"
    "container.pods.getLogs"      = "helm test logs on failure"
    "container.pods.portForward"  = "the smoke through the cluster (and the invalidator Role it creates)"
    "container.replicaSets.list"  = "helm --wait: the newest ReplicaSet of each Deployment"
  }
  deployer_permissions = sort(distinct(concat(
    flatten([for resource in values(local.deployer_chart_kinds) : [for verb in local.deployer_verbs : "container.${resource}.${verb}"]]),
    keys(local.deployer_program_permissions),
  )))
  # The replica job's ban port-forwards to Varnish through the DNS endpoint; Kubernetes objects only via RBAC (the
  # chart's invalidator Role).
  cluster_connect_permissions = ["container.clusters.connect", "container.clusters.get"]

  custom_roles = {
    deployer = { id = "mapsApiDeployer", title = "maps-api deployer", permissions = local.deployer_permissions }
    connect  = { id = "mapsApiClusterConnect", title = "maps-api cluster endpoint", permissions = local.cluster_connect_permissions }
  }
  custom_role_names = { for key, role in local.custom_roles : key => "projects/${var.project_id}/roles/${role.id}" }

  plan_environment = "${var.environment}-plan"
  # The replica refresh has a GitHub environment of its own: the weekly schedule runs on main, which production's
  # environment refuses (v* tags, reviewers), and the deployer and the replica account no longer share a subject.
  replica_environment   = "${var.environment}-replica"
  accepted_environments = compact([var.environment, local.plan_environment, local.replica_environment, var.publish_environment])

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
      project_roles      = [local.custom_role_names.deployer] # the chart's kinds and the deploy program's needs, no more
      state_role         = null
      description        = "Helm deploys and rollbacks to the ${var.environment} cluster."
    }
    replica = {
      account_id         = "maps-replica"
      github_environment = local.replica_environment
      variable           = "REPLICA_SERVICE_ACCOUNT"
      # dataEditor: on the dataset only. The cluster's DNS endpoint (container.clusters.get/connect) for the post-refresh
      # ban's port-forward; Kubernetes objects only through the chart's invalidator Role (RBAC).
      project_roles = ["roles/bigquery.jobUser", "roles/monitoring.metricWriter", local.custom_role_names.connect]
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

resource "google_project_iam_custom_role" "ci" {
  for_each    = local.custom_roles
  project     = var.project_id
  role_id     = each.value.id
  title       = "${each.value.title} (${var.environment})"
  description = "Created by terraform/bootstrap (modules/github-oidc): exactly what its GitHub Actions job needs."
  permissions = each.value.permissions
}

resource "google_project_iam_member" "ci" {
  for_each = local.project_grants
  project  = var.project_id
  role     = each.value.role
  member   = google_service_account.ci[each.value.account].member

  depends_on = [google_project_iam_custom_role.ci] # custom roles are named by their (known) id
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
