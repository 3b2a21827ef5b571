# Who is told, and about what. The alert rules live once, in the chart's files/monitoring/<concern>.yaml (promtool
# tests them in monitoring/); each alerting rule becomes a Cloud Monitoring alert policy with the same PromQL,
# `for` and group interval, notifying the channels that take its severity. The chart's Rules keep only the recording
# rules, which GKE Managed Prometheus evaluates in the cluster (the policies read their results).
locals {
  severities = ["critical", "warning"]

  # alert name => what the policy needs, from every group of every rule file.
  alerts = merge(flatten([
    for file, text in var.rule_files : [
      for group in yamldecode(text).groups : {
        for rule in group.rules : rule.alert => {
          file        = trimsuffix(file, ".yaml")
          group       = group.name
          interval    = group.interval
          expr        = rule.expr
          pending     = try(rule["for"], "0s") # the rule's `for`
          labels      = try(rule.labels, {})
          annotations = try(rule.annotations, {})
        } if try(rule.alert, null) != null
      }
    ]
  ])...)

  # Prometheus durations as the rule files write them (one unit: 90s, 2m, 24h) in seconds.
  unit_seconds = { s = 1, m = 60, h = 3600 }
  seconds = {
    for name, a in local.alerts : name => {
      pending = tonumber(regex("^([0-9]+)[smh]$", a.pending)[0]) * local.unit_seconds[regex("[smh]$", a.pending)]
      interval = (
        tonumber(regex("^([0-9]+)[smh]$", a.interval)[0]) * local.unit_seconds[regex("[smh]$", a.interval)]
      )
    }
  }

  # severity => the channels (by key) that receive it.
  routing = {
    for severity in local.severities : severity => sort([
      for key, channel in var.notification_channels : key if contains(channel.severities, severity)
    ])
  }
}

resource "google_monitoring_notification_channel" "this" {
  for_each     = var.notification_channels
  project      = var.project_id
  display_name = "maps-api ${var.environment}: ${each.key} (${join(", ", each.value.severities)})"
  type         = each.value.type
  labels       = each.value.labels
  user_labels  = { app = "maps-api", environment = var.environment }
}

resource "google_monitoring_alert_policy" "prometheus" {
  for_each     = var.prometheus_alerts ? local.alerts : {}
  project      = var.project_id
  display_name = "${each.key} (${var.environment})"
  combiner     = "OR"
  severity     = upper(each.value.labels.severity)

  notification_channels = [
    for key in local.routing[each.value.labels.severity] : google_monitoring_notification_channel.this[key].id
  ]

  conditions {
    display_name = each.key
    condition_prometheus_query_language {
      query               = each.value.expr
      duration            = "${local.seconds[each.key].pending}s"
      evaluation_interval = "${local.seconds[each.key].interval}s"
      labels              = each.value.labels
      rule_group          = each.value.group
      alert_rule          = each.key
      # Recorded series and scraped metrics exist only once the chart is deployed, which comes after this apply.
      disable_metric_validation = true
    }
  }

  documentation {
    mime_type = "text/markdown"
    # Prometheus templates ({{ $value }}) mean nothing here: dropped from the text.
    subject = "[${upper(each.value.labels.severity)}] maps-api ${var.environment}: ${replace(each.value.annotations.summary, "/\\s*\\{\\{[^}]*\\}\\}/", "")}"
    content = join("\n\n", [
      replace(each.value.annotations.description, "/\\{\\{[^}]*\\}\\}/", "…"),
      "Runbook: ${var.runbook_base_url}${each.value.annotations.runbook_url}",
      "Rule `${each.key}` in charts/maps-api/files/monitoring/${each.value.file}.yaml (group ${each.value.group}).",
    ])
  }

  user_labels = {
    app         = "maps-api"
    environment = var.environment
    severity    = each.value.labels.severity
    rule_file   = each.value.file
  }

  lifecycle {
    precondition {
      condition     = contains(local.severities, each.value.labels.severity)
      error_message = "${each.key}: severity must be critical or warning (the routing knows only those)."
    }
    precondition {
      condition     = length(local.routing[each.value.labels.severity]) > 0
      error_message = "${each.key} is ${each.value.labels.severity}, and no notification channel takes ${each.value.labels.severity} alerts."
    }
  }
}

