# This environment's values; everything the environments share is a default in modules/environment.
# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree). The host is
# not here: it is an input (variables.tf).
environment  = "production"
project_id   = "maps-api-production"
cluster_name = "maps-api-production"

# modules/environment refuses production without deletion protection or with fewer nodes than zones. 4 nodes: the
# requests of values-production.yaml plus system pods, a rollout surge pod and one drained node (docs/infrastructure.md).
cluster = {
  release_channel     = "STABLE"
  deletion_protection = true
  spot                = false
  min_nodes           = 4
  max_nodes           = 9
}

# Cloud Armor's per-IP rate-based ban only logs its decisions until this is false (after a week of reading them:
# docs/production-readiness.md). Blocked addresses: edge.blocked_ip_ranges (docs/runbooks/api-outage.md).
edge = {
  rate_limit_preview = true
}

# Who is told (docs/production-readiness.md): each alert notifies the channels that take its severity. The on-call
# email channel (critical and warning) is main.tf's; its address is the input oncall_email (the repository variable
# MAPS_API_ONCALL_EMAIL_<ENV>). A pager (PagerDuty's email integration, a webhook): another channel here.
# The chart's alert rules become Cloud Monitoring policies here (values-production.yaml monitoring.rules: true).
alerting = {
  prometheus_alerts     = true
  notification_channels = {}
}

# Spend ceilings (docs/production-readiness.md): BigQuery stops at 5 TiB of query bytes a day ($31.25 at $6.25/TiB);
# the monthly budget alerts at 50/90/100 % spent and 100 % forecast. billing_account: the project's billing account
# ID (its terraform account needs roles/billing.costsManager there); null: no budget, and plan warns.
spend = {
  bigquery_tib_per_day = 5
  budget = {
    billing_account = null
    monthly_amount  = 1500
  }
}
