output "bigquery_query_mib_per_day" {
  description = "The QueryUsagePerDay preference, in MiB (Cloud Quotas' unit for it)."
  value       = var.bigquery_tib_per_day * local.mib_per_tib
}

output "bytes_billed_alert_per_hour" {
  description = "Bytes billed in one hour above which the alert fires (1/24 of the daily ceiling)."
  value       = local.bytes_billed_alert_per_hour
}

output "bigquery_usd_per_day_max" {
  description = "The most BigQuery queries can cost in a day at the quota, at $6.25 per TiB (on demand, US)."
  value       = var.bigquery_tib_per_day * 6.25
}

output "budget" {
  description = "The monthly budget (null without a billing account)."
  value       = var.budget.billing_account == null ? null : { amount = var.budget.monthly_amount, currency = var.budget.currency_code, thresholds = var.budget.thresholds }
}
