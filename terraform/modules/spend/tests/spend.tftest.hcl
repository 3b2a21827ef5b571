mock_provider "google" {
  override_during = plan

  mock_data "google_project" {
    defaults = {
      number = "123456789012"
    }
  }
}

variables {
  project_id               = "p-test"
  environment              = "production"
  bigquery_tib_per_day     = 5
  budget                   = { billing_account = "01AB23-45CD67-89EF01", monthly_amount = 1500 }
  notification_channel_ids = ["projects/p-test/notificationChannels/111"]
}

run "bigquery_queries_stop_at_the_daily_ceiling" {
  command = plan

  assert {
    condition = (
      google_cloud_quotas_quota_preference.bigquery_query_usage.parent == "projects/p-test" &&
      google_cloud_quotas_quota_preference.bigquery_query_usage.service == "bigquery.googleapis.com" &&
      google_cloud_quotas_quota_preference.bigquery_query_usage.quota_id == "QueryUsagePerDay" &&
      google_cloud_quotas_quota_preference.bigquery_query_usage.quota_config[0].preferred_value == "5242880"
    )
    error_message = "the project's QueryUsagePerDay preference: 5 TiB = 5,242,880 MiB (Cloud Quotas counts it in MiB)"
  }
  assert {
    condition     = google_cloud_quotas_quota_preference.bigquery_query_usage.ignore_safety_checks == "QUOTA_DECREASE_PERCENTAGE_TOO_HIGH"
    error_message = "lowering the 200 TiB default that far needs the decrease safety check skipped"
  }
  assert {
    condition     = output.bigquery_usd_per_day_max == 31.25
    error_message = "5 TiB a day costs at most $31.25"
  }
}

run "an_hour_billing_more_than_a_24th_of_the_ceiling_alerts" {
  command = plan

  assert {
    condition = (
      google_monitoring_alert_policy.bytes_billed_per_hour.conditions[0].condition_threshold[0].filter == "metric.type=\"bigquery.googleapis.com/query/scanned_bytes_billed\" AND resource.type=\"global\"" &&
      google_monitoring_alert_policy.bytes_billed_per_hour.conditions[0].condition_threshold[0].aggregations[0].alignment_period == "3600s" &&
      google_monitoring_alert_policy.bytes_billed_per_hour.conditions[0].condition_threshold[0].aggregations[0].per_series_aligner == "ALIGN_SUM" &&
      google_monitoring_alert_policy.bytes_billed_per_hour.conditions[0].condition_threshold[0].threshold_value == floor(5 * pow(1024, 4) / 24)
    )
    error_message = "BigQuery's billed bytes summed per hour against 1/24 of 5 TiB"
  }
  assert {
    condition     = google_monitoring_alert_policy.bytes_billed_per_hour.notification_channels == tolist(["projects/p-test/notificationChannels/111"])
    error_message = "it notifies the channels given"
  }
}

run "a_monthly_budget_on_this_project_alerts_at_its_thresholds" {
  command = plan

  assert {
    condition     = google_billing_budget.monthly[0].billing_account == "01AB23-45CD67-89EF01" && google_billing_budget.monthly[0].budget_filter[0].projects == toset(["projects/123456789012"])
    error_message = "a budget on the billing account, counting this project only (by number)"
  }
  assert {
    condition     = google_billing_budget.monthly[0].amount[0].specified_amount[0].units == "1500" && google_billing_budget.monthly[0].amount[0].specified_amount[0].currency_code == "USD"
    error_message = "1500 USD a month"
  }
  assert {
    condition     = [for t in google_billing_budget.monthly[0].threshold_rules : "${t.threshold_percent} ${coalesce(t.spend_basis, "CURRENT_SPEND")}"] == ["0.5 CURRENT_SPEND", "0.9 CURRENT_SPEND", "1 CURRENT_SPEND", "1 FORECASTED_SPEND"]
    error_message = "50, 90, 100 % spent and 100 % forecast"
  }
  assert {
    condition     = google_billing_budget.monthly[0].all_updates_rule[0].monitoring_notification_channels == tolist(["projects/p-test/notificationChannels/111"])
    error_message = "the budget's alerts reach the same channels"
  }
}

run "without_a_billing_account_no_budget" {
  command = plan

  variables {
    budget = { monthly_amount = 1500 }
  }

  assert {
    condition     = length(google_billing_budget.monthly) == 0 && output.budget == null
    error_message = "no billing account, no budget"
  }
}

run "refuses_a_malformed_billing_account" {
  command = plan

  variables {
    budget = { billing_account = "billing-123", monthly_amount = 1500 }
  }

  expect_failures = [var.budget]
}
