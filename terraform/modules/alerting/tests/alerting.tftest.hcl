mock_provider "google" {
  override_during = plan
}

override_resource {
  target          = google_monitoring_notification_channel.this["oncall"]
  override_during = plan
  values          = { id = "projects/p-test/notificationChannels/111" }
}

override_resource {
  target          = google_monitoring_notification_channel.this["tickets"]
  override_during = plan
  values          = { id = "projects/p-test/notificationChannels/222" }
}

variables {
  project_id  = "p-test"
  environment = "staging"
  notification_channels = {
    oncall  = { type = "email", labels = { email_address = "oncall@maps.test" }, severities = ["critical"] }
    tickets = { type = "email", labels = { email_address = "tickets@maps.test" }, severities = ["critical", "warning"] }
  }
  prometheus_alerts = true
  rule_files = {
    "cache.yaml"   = <<-EOT
      groups:
        - name: maps-cache
          interval: 1m
          rules:
            - record: maps:varnish_client_requests:rate5m
              expr: sum(rate(varnish_main_client_req[5m]))
            - alert: MapsVarnishDown
              expr: absent(varnish_up == 1)
              for: 2m
              labels: { severity: critical }
              annotations:
                summary: Varnish is down
                description: "{{ $value }} pods up"
                runbook_url: docs/runbooks/varnish-down.md
    EOT
    "replica.yaml" = <<-EOT
      groups:
        - name: maps-replica
          interval: 1h
          rules:
            - alert: MapsReplicaStale
              expr: table:maps_replica_age_seconds:max > 8 * 86400
              for: 24h
              labels: { severity: warning }
              annotations:
                summary: The replica {{ $labels.table }} is old
                description: Old.
                runbook_url: docs/runbooks/replica.md
    EOT
  }
}

run "each_alerting_rule_becomes_a_policy_with_its_query_for_and_interval" {
  command = plan

  assert {
    condition     = keys(google_monitoring_alert_policy.prometheus) == ["MapsReplicaStale", "MapsVarnishDown"]
    error_message = "one policy per alerting rule; the recording rule gets none"
  }
  assert {
    condition = jsonencode([for c in google_monitoring_alert_policy.prometheus["MapsVarnishDown"].conditions[0].condition_prometheus_query_language : {
      query = c.query, duration = c.duration, interval = c.evaluation_interval, group = c.rule_group, rule = c.alert_rule, labels = c.labels
      }]) == jsonencode([{
      query = "absent(varnish_up == 1)", duration = "120s", interval = "60s", group = "maps-cache", rule = "MapsVarnishDown", labels = { severity = "critical" }
    }])
    error_message = "the rule's expr, for (2m = 120s), group interval (1m = 60s), group, name and labels"
  }
  assert {
    condition     = google_monitoring_alert_policy.prometheus["MapsReplicaStale"].conditions[0].condition_prometheus_query_language[0].duration == "86400s" && google_monitoring_alert_policy.prometheus["MapsReplicaStale"].conditions[0].condition_prometheus_query_language[0].evaluation_interval == "3600s"
    error_message = "24h and 1h in seconds"
  }
  assert {
    condition     = google_monitoring_alert_policy.prometheus["MapsReplicaStale"].documentation[0].subject == "[WARNING] maps-api staging: The replica is old" && strcontains(google_monitoring_alert_policy.prometheus["MapsVarnishDown"].documentation[0].content, "Runbook: docs/runbooks/varnish-down.md")
    error_message = "subject from the summary (Prometheus templates dropped), the runbook in the text"
  }
}

run "routing_by_severity_reaches_every_channel_that_takes_it" {
  command = plan

  assert {
    condition     = jsonencode(output.routing) == jsonencode({ critical = ["oncall", "tickets"], warning = ["tickets"] })
    error_message = "critical: both channels; warning: tickets only"
  }
  assert {
    condition     = google_monitoring_alert_policy.prometheus["MapsVarnishDown"].severity == "CRITICAL" && google_monitoring_alert_policy.prometheus["MapsVarnishDown"].notification_channels == tolist(["projects/p-test/notificationChannels/111", "projects/p-test/notificationChannels/222"])
    error_message = "a critical alert notifies oncall and tickets"
  }
  assert {
    condition     = google_monitoring_alert_policy.prometheus["MapsReplicaStale"].severity == "WARNING" && google_monitoring_alert_policy.prometheus["MapsReplicaStale"].notification_channels == tolist(["projects/p-test/notificationChannels/222"])
    error_message = "a warning notifies tickets only"
  }
}

run "no_policies_where_the_chart_deploys_no_rules" {
  command = plan

  variables {
    prometheus_alerts = false
  }

  assert {
    condition     = length(google_monitoring_alert_policy.prometheus) == 0 && length(google_monitoring_notification_channel.this) == 2
    error_message = "without the chart's scraping and recording rules every absent() alert would fire: no policies, channels still exist"
  }
}

run "refuses_an_alert_severity_nobody_receives" {
  command = plan

  variables {
    notification_channels = {
      oncall = { type = "email", labels = { email_address = "oncall@maps.test" }, severities = ["critical"] }
    }
  }

  expect_failures = [google_monitoring_alert_policy.prometheus["MapsReplicaStale"]]
}

run "refuses_a_channel_without_a_known_severity" {
  command = plan

  variables {
    notification_channels = {
      oncall = { type = "email", labels = { email_address = "oncall@maps.test" }, severities = ["page"] }
    }
  }

  expect_failures = [var.notification_channels]
}

run "names_the_channels_that_are_still_a_placeholder_address" {
  command = plan

  variables {
    notification_channels = {
      oncall  = { type = "email", labels = { email_address = "maps-api-oncall@example.com" }, severities = ["critical", "warning"] }
      tickets = { type = "email", labels = { email_address = "tickets@maps.test" }, severities = ["warning"] }
    }
  }

  assert {
    condition     = output.placeholder_channels == tolist(["oncall"])
    error_message = "an example.com address reaches nobody: named, so the docs and the plan output show it"
  }
}
