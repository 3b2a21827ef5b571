# Ceilings on what one environment can spend, and people told before they are reached: BigQuery's daily query-bytes
# quota on the project (queries past it fail with "Custom quota exceeded"; the API answers 503), an alert on bytes
# billed per hour, and a monthly billing budget with alert thresholds.
locals {
  mib_per_tib = 1024 * 1024
  # An hour billing more than this share of the daily ceiling exhausts it within the day.
  bytes_billed_alert_per_hour = floor(var.bigquery_tib_per_day * pow(1024, 4) / 24)
}

# QueryUsagePerDay counts MiB of on-demand query bytes per project and day (Pacific midnight), all users together;
# the default is 200 TiB. Lowering it that far trips Cloud Quotas' decrease safety check, hence the explicit skip.
resource "google_cloud_quotas_quota_preference" "bigquery_query_usage" {
  parent               = "projects/${var.project_id}"
  name                 = "bigquery_googleapis_com-QueryUsagePerDay"
  service              = "bigquery.googleapis.com"
  quota_id             = "QueryUsagePerDay"
  justification        = "maps-api ${var.environment}: spend ceiling (${var.bigquery_tib_per_day} TiB a day)"
  ignore_safety_checks = "QUOTA_DECREASE_PERCENTAGE_TOO_HIGH"

  quota_config {
    preferred_value = tostring(var.bigquery_tib_per_day * local.mib_per_tib)
  }
}

# BigQuery's own count of billed bytes (at least 10 MiB per table a query reads). Google says it may take up to
# 6 hours to appear, so this tells about a day's trend, not a minute's: the API's bigquery_bytes_billed_total is the
# live view (dashboard).
resource "google_monitoring_alert_policy" "bytes_billed_per_hour" {
  project               = var.project_id
  display_name          = "BigQuery bytes billed per hour (${var.environment})"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channel_ids

  conditions {
    display_name = "bytes billed in an hour > 1/24 of the daily quota"
    condition_threshold {
      filter          = "metric.type=\"bigquery.googleapis.com/query/scanned_bytes_billed\" AND resource.type=\"global\""
      comparison      = "COMPARISON_GT"
      threshold_value = local.bytes_billed_alert_per_hour
      duration        = "0s"
      aggregations {
        alignment_period     = "3600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    subject   = "[WARNING] maps-api ${var.environment}: BigQuery billed more than 1/24 of its daily ceiling in an hour"
    content   = "At this rate the ${var.bigquery_tib_per_day} TiB/day query quota runs out before the day ends, and every cache miss gets 503. Runbook: ${var.runbook_base_url}docs/runbooks/bigquery-quota.md"
  }

  user_labels = { app = "maps-api", environment = var.environment, severity = "warning" }
}

data "google_project" "this" {
  count      = var.budget.billing_account == null ? 0 : 1
  project_id = var.project_id
}

# Budgets live on the billing account: its terraform account needs roles/billing.costsManager there
# (docs/production-readiness.md). Without billing_account no budget is made (output budget = null).
resource "google_billing_budget" "monthly" {
  count           = var.budget.billing_account == null ? 0 : 1
  billing_account = var.budget.billing_account
  display_name    = "maps-api ${var.environment} monthly"

  budget_filter {
    projects        = ["projects/${data.google_project.this[0].number}"]
    calendar_period = "MONTH"
  }

  amount {
    specified_amount {
      currency_code = var.budget.currency_code
      units         = tostring(var.budget.monthly_amount)
    }
  }

  dynamic "threshold_rules" {
    for_each = var.budget.thresholds
    content {
      threshold_percent = threshold_rules.value
    }
  }

  threshold_rules {
    threshold_percent = 1.0
    spend_basis       = "FORECASTED_SPEND"
  }

  all_updates_rule {
    monitoring_notification_channels = var.notification_channel_ids
  }
}
