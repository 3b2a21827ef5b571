output "routing" {
  description = "severity => the channel keys notified."
  value       = local.routing
}

output "alerts" {
  description = "alert => its severity and rule file: one policy each when prometheus_alerts is on (known at plan)."
  value       = { for name, a in local.alerts : name => { severity = a.labels.severity, file = a.file } }
}

output "prometheus_alerts" {
  description = "Whether the rule files' alerts have policies here."
  value       = var.prometheus_alerts
}

output "notification_channel_ids" {
  description = "key => channel resource name (projects/…/notificationChannels/…), for other policies and budgets."
  value       = { for key, channel in google_monitoring_notification_channel.this : key => channel.id }
}

output "channel_ids_by_severity" {
  description = "severity => the channel resource names notified (for the spend alerts and the budget)."
  value = {
    for severity, keys in local.routing : severity => [for key in keys : google_monitoring_notification_channel.this[key].id]
  }
}

output "placeholder_channels" {
  description = "Channels whose email_address is a reserved example.com name (the tfvars' placeholder): they reach nobody."
  value = sort([
    for key, channel in var.notification_channels : key
    if can(regex("@(.+\\.)?example\\.(com|net|org)$", lower(lookup(channel.labels, "email_address", ""))))
  ])
}
