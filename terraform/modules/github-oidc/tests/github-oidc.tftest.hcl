mock_provider "google" {
  override_during = plan

  mock_resource "google_iam_workload_identity_pool" {
    defaults = {
      name = "projects/123/locations/global/workloadIdentityPools/github"
    }
  }
  mock_resource "google_service_account" {
    defaults = {
      name   = "projects/p-test/serviceAccounts/under-test@p-test.iam.gserviceaccount.com"
      member = "serviceAccount:under-test@p-test.iam.gserviceaccount.com"
    }
  }
}

variables {
  project_id             = "p-test"
  environment            = "production"
  publish_environment    = "publish"
  state_bucket           = "tfstate-production"
  env_root_project_roles = ["roles/container.defaultNodeServiceAccount", "roles/bigquery.jobUser"]
  github = {
    repository          = "acme/maps-api"
    repository_id       = "123456789"
    repository_owner_id = "987654"
  }
}

run "attribute_condition_pins_the_repository_by_name_and_immutable_ids" {
  command = plan

  assert {
    condition = output.attribute_condition == join(" && ", [
      "assertion.repository == 'acme/maps-api'",
      "assertion.repository_id == '123456789'",
      "assertion.repository_owner_id == '987654'",
      "assertion.sub.startsWith('repo:acme/maps-api:environment:')",
      "assertion.environment in ['production', 'production-plan', 'production-replica', 'publish']",
    ])
    error_message = "repository name, repository_id, repository_owner_id, environment subjects only, and the accepted environments"
  }
  assert {
    condition     = google_iam_workload_identity_pool_provider.github.attribute_mapping["attribute.repository_id"] == "assertion.repository_id" && google_iam_workload_identity_pool_provider.github.attribute_mapping["google.subject"] == "assertion.sub"
    error_message = "subject and ids are mapped"
  }
  assert {
    condition     = google_iam_workload_identity_pool_provider.github.oidc[0].issuer_uri == "https://token.actions.githubusercontent.com"
    error_message = "tokens come from GitHub Actions"
  }
}

run "every_workflow_identity_exists_bound_to_one_github_environment" {
  command = plan

  assert {
    condition = { for k, a in output.accounts : k => [a.email, a.github_environment, a.variable] } == {
      terraform = ["github-terraform@p-test.iam.gserviceaccount.com", "production", "TERRAFORM_SERVICE_ACCOUNT"]
      planner   = ["github-planner@p-test.iam.gserviceaccount.com", "production-plan", "PLAN_SERVICE_ACCOUNT"]
      deployer  = ["github-deployer@p-test.iam.gserviceaccount.com", "production", "DEPLOY_SERVICE_ACCOUNT"]
      replica   = ["maps-replica@p-test.iam.gserviceaccount.com", "production-replica", "REPLICA_SERVICE_ACCOUNT"]
      publisher = ["github-publisher@p-test.iam.gserviceaccount.com", "publish", "PUBLISH_SERVICE_ACCOUNT"]
    }
    error_message = "terraform, planner, deployer, replica and (where the registry lives) publisher accounts"
  }
  assert {
    condition = output.impersonation == {
      terraform = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:acme/maps-api:environment:production"
      planner   = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:acme/maps-api:environment:production-plan"
      deployer  = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:acme/maps-api:environment:production"
      replica   = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:acme/maps-api:environment:production-replica"
      publisher = "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/subject/repo:acme/maps-api:environment:publish"
    }
    error_message = "each account trusts exactly one subject; the planner only the plan environment, the replica account only the replica environment, the publisher only publish"
  }
  assert {
    condition     = alltrue([for b in google_service_account_iam_member.wif : b.role == "roles/iam.workloadIdentityUser"])
    error_message = "the bindings grant impersonation only"
  }
}

run "github_environment_variables_name_what_each_environment_uses" {
  command = plan

  assert {
    condition     = jsonencode({ for env, vars in output.github_environment_variables : env => sort(keys(vars)) }) == jsonencode({ production = ["DEPLOY_SERVICE_ACCOUNT", "TERRAFORM_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"], production-plan = ["PLAN_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"], production-replica = ["REPLICA_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"], publish = ["PUBLISH_SERVICE_ACCOUNT", "WORKLOAD_IDENTITY_PROVIDER"] })
    error_message = "the vars.* each GitHub environment's jobs read"
  }
}

run "planner_is_read_only_and_reads_state_with_list_permission" {
  command = plan

  assert {
    condition     = output.accounts.planner.project_roles == tolist(["roles/iam.securityReviewer", "roles/viewer"])
    error_message = "viewer + securityReviewer (IAM policies are part of the plan), nothing that writes"
  }
  assert {
    condition     = google_storage_bucket_iam_member.state["planner"].role == "roles/storage.objectViewer" && google_storage_bucket_iam_member.state["planner"].bucket == "tfstate-production" && length(google_storage_bucket_iam_member.state["planner"].condition) == 0
    error_message = "bucket-level objectViewer on this environment's own bucket, unconditioned (a resource.name condition would deny storage.objects.list)"
  }
  assert {
    condition     = google_storage_bucket_iam_member.state["terraform"].role == "roles/storage.objectAdmin" && length(google_storage_bucket_iam_member.state) == 2
    error_message = "the terraform account writes state and its lock; no other account touches state"
  }
}

run "terraform_account_may_grant_only_the_environment_roots_roles" {
  command = plan

  assert {
    condition     = output.terraform_grant_condition == "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/bigquery.jobUser', 'roles/container.defaultNodeServiceAccount'])"
    error_message = "projectIamAdmin is conditioned on the roles it modifies"
  }
  assert {
    condition     = alltrue([for g in google_project_iam_member.ci : !contains(["roles/owner", "roles/editor", "roles/resourcemanager.projectIamAdmin", "roles/iam.workloadIdentityPoolAdmin"], g.role)])
    error_message = "no basic role, no unconditioned IAM admin, no say over the WIF setup for any CI account"
  }
}

run "deployer_and_replica_have_least_roles" {
  command = plan

  assert {
    condition     = output.accounts.deployer.project_roles == tolist(["projects/p-test/roles/mapsApiDeployer"]) && output.accounts.deployer.state_role == null
    error_message = "the deployer holds only its custom role (the chart's kinds, the deploy program's needs) and reads no state"
  }
  assert {
    condition     = output.accounts.replica.project_roles == tolist(["projects/p-test/roles/mapsApiClusterConnect", "roles/bigquery.jobUser", "roles/monitoring.metricWriter"])
    error_message = "project-wide the replica job runs jobs, writes its metric and reaches the cluster endpoint (no Kubernetes objects: RBAC); dataEditor is on its dataset only"
  }
  assert {
    condition     = google_project_iam_custom_role.ci["connect"].permissions == toset(["container.clusters.connect", "container.clusters.get"])
    error_message = "the cluster endpoint role: get the cluster's DNS endpoint and connect to it, nothing else"
  }
  assert {
    condition     = contains(google_project_iam_custom_role.ci["deployer"].permissions, "container.roles.create") && contains(google_project_iam_custom_role.ci["deployer"].permissions, "container.roleBindings.create") && !anytrue([for p in google_project_iam_custom_role.ci["deployer"].permissions : startswith(p, "container.clusterRole") || endswith(p, ".escalate") || endswith(p, ".bind") || startswith(p, "container.pods.exec")])
    error_message = "the deployer can create the chart's Role and RoleBinding, and nothing cluster-wide, no escalate/bind, no exec"
  }
}

run "other_environments_have_no_publisher_and_accept_only_their_own_environments" {
  command = plan

  variables {
    environment         = "dev"
    publish_environment = null
  }

  assert {
    condition     = !contains(keys(output.accounts), "publisher") && output.accepted_environments == tolist(["dev", "dev-plan", "dev-replica"])
    error_message = "dev's provider accepts dev, dev-plan and dev-replica only"
  }
}

run "refuses_the_placeholder_repository" {
  command = plan

  variables {
    github = { repository = "example-org/maps-api", repository_id = "1", repository_owner_id = "2" }
  }

  expect_failures = [var.github]
}

run "refuses_a_repository_without_numeric_ids" {
  command = plan

  variables {
    github = { repository = "acme/maps-api", repository_id = "", repository_owner_id = "acme" }
  }

  expect_failures = [var.github]
}
