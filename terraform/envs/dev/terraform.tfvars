# This environment's values; everything the environments share is a default in modules/environment.
# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree). The host is
# not here: it is an input (variables.tf).
environment  = "dev"
project_id   = "maps-api-dev"
cluster_name = "maps-api-dev"

cluster = {
  release_channel     = "REGULAR"
  deletion_protection = false
  spot                = true
  min_nodes           = 2
  max_nodes           = 4
}

# Cloud Armor's per-IP rate-based ban only logs its decisions until this is false (after a week of reading them:
# docs/production-readiness.md). Blocked addresses: edge.blocked_ip_ranges (docs/runbooks/api-outage.md).
edge = {
  rate_limit_preview = true
}

# Who is told (docs/production-readiness.md): each alert notifies the channels that take its severity. The on-call
# email channel (critical and warning) is main.tf's; its address is the input oncall_email (the repository variable
# MAPS_API_ONCALL_EMAIL_<ENV>). A pager (PagerDuty's email integration, a webhook): another channel here.
# dev deploys no PodMonitoring or rules (values-dev.yaml): only the spend alerts notify here.
alerting = {
  prometheus_alerts     = false
  notification_channels = {}
}

# Spend ceilings (docs/production-readiness.md): BigQuery stops at 0.5 TiB of query bytes a day ($3.125 at $6.25/TiB);
# the monthly budget alerts at 50/90/100 % spent and 100 % forecast. billing_account: the project's billing account
# ID (its terraform account needs roles/billing.costsManager there); null: no budget, and plan warns.
spend = {
  bigquery_tib_per_day = 0.5
  budget = {
    billing_account = null
    monthly_amount  = 300
  }
}
