# Known at plan (a test renders the chart against them), so from the inputs the resources are named by.
output "security_policy_name" {
  description = "Cloud Armor policy: the chart's BackendConfig securityPolicy.name."
  value       = var.security_policy_name
}

output "ssl_policy_name" {
  description = "SSL policy: the chart's FrontendConfig sslPolicy."
  value       = var.ssl_policy_name
}

output "rate_limit" {
  description = "The per-IP rate-based ban in effect (preview: logged, not enforced)."
  value       = var.rate_limit
}

output "blocked_rules" {
  description = "Priority => ranges of the operator deny rules."
  value       = { for i, chunk in local.blocked_chunks : tostring(local.blocked_priority + i) => chunk }
}
