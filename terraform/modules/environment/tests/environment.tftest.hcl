# The invariants every environment shares, proved once here; each root in envs/<env>/ tests only its own values.
mock_provider "google" {
  override_during = plan
}

variables {
  environment  = "staging"
  project_id   = "p-test"
  cluster_name = "c-test"
  host         = "maps-api.staging.example.com"
  edge         = { rate_limit_preview = false }
  spend        = { bigquery_tib_per_day = 1, budget = { billing_account = "01AB23-45CD67-89EF01", monthly_amount = 450 } }
  alerting     = { prometheus_alerts = true, notification_channels = { oncall = { type = "email", labels = { email_address = "oncall@maps.test" }, severities = ["critical", "warning"] } } }
}

run "cluster_has_private_nodes_and_workload_identity" {
  command = plan

  assert {
    condition     = module.gke.private_nodes
    error_message = "private nodes"
  }
  assert {
    condition     = module.gke.workload_pool == "p-test.svc.id.goog"
    error_message = "Workload Identity on, with this project's pool"
  }
}

run "defaults_are_production_safe" {
  command = plan

  assert {
    condition     = module.gke.deletion_protection && output.cluster_settings.min_nodes >= 3 && !output.cluster_settings.spot
    error_message = "without per-environment settings the cluster is deletion-protected, one node per zone at least, no Spot"
  }
  assert {
    condition     = output.cluster_settings.release_channel == "STABLE" && output.cluster_settings.machine_type == "e2-standard-2"
    error_message = "default release channel STABLE, machine type e2-standard-2"
  }
}

run "cluster_settings_reach_the_cluster" {
  command = plan

  variables {
    cluster = { deletion_protection = false, release_channel = "REGULAR", spot = true, min_nodes = 2, max_nodes = 4 }
  }

  assert {
    condition     = !module.gke.deletion_protection && output.deletion_protection == false
    error_message = "a disposable environment may turn deletion protection off"
  }
  assert {
    condition     = output.cluster_settings == { deletion_protection = false, release_channel = "REGULAR", spot = true, min_nodes = 2, max_nodes = 4, machine_type = "e2-standard-2" }
    error_message = "given settings win, the others keep their defaults"
  }
}

run "refuses_production_without_deletion_protection" {
  command = plan

  variables {
    environment = "production"
    cluster     = { deletion_protection = false }
  }

  expect_failures = [var.cluster]
}

run "refuses_production_with_fewer_nodes_than_zones" {
  command = plan

  variables {
    environment = "production"
    cluster     = { min_nodes = 1 }
  }

  expect_failures = [var.cluster]
}

run "refuses_an_unknown_environment" {
  command = plan

  variables {
    environment = "qa"
  }

  expect_failures = [var.environment]
}

run "state_lives_in_this_environments_own_bucket" {
  command = plan

  assert {
    condition     = output.facts.state_prefix == "env/staging" && output.facts.state_bucket == "maps-api-tfstate-staging"
    error_message = "bootstrap's per-environment bucket (only staging's accounts are granted on it), prefix env/staging"
  }
}

run "api_service_account_has_no_project_wide_data_access" {
  command = plan

  assert {
    condition     = module.api_identity.project_roles == ["roles/bigquery.jobUser"]
    error_message = "project-wide the API only runs jobs; it reads the replica dataset only"
  }
}

run "replica_dataset_is_in_the_source_location" {
  command = plan

  variables {
    replica = { source = "other.ds.table", dataset = "maps_replica", location = "EU" }
  }

  assert {
    condition     = module.replica.location == "EU" && output.replica_location == "EU"
    error_message = "the dataset location comes from the replica.location variable"
  }
}

run "pipeline_outputs_are_set" {
  command = plan

  assert {
    condition     = output.cluster_name == "c-test" && output.cluster_location == var.region
    error_message = "cluster name and location for get-credentials"
  }
  assert {
    condition     = output.registry_url == "us-central1-docker.pkg.dev/maps-api-production/maps"
    error_message = "registry URL"
  }
  assert {
    condition     = output.labels == { app = "maps-api", environment = "staging", managed-by = "terraform" }
    error_message = "every resource is labelled with app, environment and managed-by"
  }
}

run "replica_service_account_edits_the_replica_dataset_only" {
  command = plan

  assert {
    condition = module.replica.writer_grants == {
      replica = {
        dataset_id = "maps_replica"
        role       = "roles/bigquery.dataEditor"
        member     = "serviceAccount:maps-replica@p-test.iam.gserviceaccount.com"
      }
    }
    error_message = "dataEditor on maps_replica (dataset-level IAM) for bootstrap's replica account, and no other writer"
  }
}


run "this_environment_uses_only_ci_accounts_bootstrap_creates" {
  command = plan

  assert {
    condition = output.ci_service_accounts == {
      terraform = "github-terraform@p-test.iam.gserviceaccount.com"
      planner   = "github-planner@p-test.iam.gserviceaccount.com"
      deployer  = "github-deployer@p-test.iam.gserviceaccount.com"
      replica   = "maps-replica@p-test.iam.gserviceaccount.com"
    }
    error_message = "the names modules/github-oidc gives them"
  }
  assert {
    condition     = output.project_roles_granted == tolist(["roles/bigquery.jobUser", "roles/container.defaultNodeServiceAccount"])
    error_message = "the only project roles granted here (bootstrap's condition on the terraform account lists exactly these)"
  }
}

run "the_cluster_admits_only_images_from_the_registry" {
  command = plan

  assert {
    condition     = output.binary_authorization.allowed_patterns == ["us-central1-docker.pkg.dev/maps-api-production/maps/**"] && output.binary_authorization.default_rule == "ALWAYS_DENY"
    error_message = "Binary Authorization: the one registry, nothing else"
  }
}

run "ingress_prerequisites_exist_for_the_host" {
  command = plan

  assert {
    condition     = output.ingress.annotations == { "kubernetes.io/ingress.global-static-ip-name" = "maps-api-ingress", "ingress.gcp.kubernetes.io/pre-shared-cert" = "maps-api-staging" }
    error_message = "static IP and managed certificate the chart's Ingress annotations name"
  }
}

run "a_protected_environment_protects_its_replica" {
  command = plan

  assert {
    condition     = output.replica_deletion_policy == "PREVENT"
    error_message = "deletion protection on (the default, always in production): Terraform refuses to delete the dataset"
  }
}

run "a_disposable_environment_may_delete_its_replica" {
  command = plan

  variables {
    cluster = { deletion_protection = false }
  }

  assert {
    condition     = output.replica_deletion_policy == "DELETE"
    error_message = "dev can be torn down whole"
  }
}

run "cloud_armor_preview_and_blocked_ranges_reach_the_edge_policy" {
  command = plan

  variables {
    edge = { rate_limit_preview = true, blocked_ip_ranges = ["198.51.100.7/32"] }
  }

  assert {
    condition     = output.edge.security_policy == "maps-api-edge" && output.edge.ssl_policy == "maps-api-tls"
    error_message = "the policy names the chart's BackendConfig and FrontendConfig use"
  }
  assert {
    condition     = output.edge.rate_limit.preview && jsonencode(output.edge.blocked_rules) == jsonencode({ "900" = ["198.51.100.7/32"] })
    error_message = "the environment's preview switch and blocked ranges reach Cloud Armor"
  }
}

run "every_alert_rule_of_the_chart_becomes_a_policy_routed_by_its_severity" {
  command = plan

  assert {
    condition     = length(output.alerting.alerts) >= 12 && contains(keys(output.alerting.alerts), "MapsApiPodsBelowFive") && contains(keys(output.alerting.alerts), "MapsVarnishDown")
    error_message = "the alerts come from the chart's rule files (charts/maps-api/files/monitoring/*.yaml)"
  }
  assert {
    condition     = alltrue([for a in values(output.alerting.alerts) : output.alerting.routing[a.severity] == tolist(["oncall"])])
    error_message = "every alert's severity reaches the on-call channel"
  }
  assert {
    condition     = length(module.alerting.alerts) == length(output.alerting.alerts) && output.alerting.prometheus_alerts
    error_message = "policies for them where the chart deploys the rules"
  }
  assert {
    condition     = contains(output.alerting.monitoring_components, "DEPLOYMENT")
    error_message = "kube_deployment_* (MapsApiPodsBelowFive) comes from GKE's managed kube-state-metrics Deployment package"
  }
}

run "spend_ceilings_reach_the_project_and_tell_the_warning_channels" {
  command = plan

  assert {
    condition     = output.spend.bigquery_query_mib_per_day == 1048576 && output.spend.bigquery_usd_per_day_max == 6.25
    error_message = "1 TiB a day of BigQuery query bytes: at most $6.25 a day"
  }
  assert {
    condition     = output.spend.budget.amount == 450 && length(module.spend.budget.thresholds) == 3
    error_message = "the monthly budget of the environment"
  }
}
