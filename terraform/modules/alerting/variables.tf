variable "project_id" {
  description = "The environment's project (channels and policies live in its Cloud Monitoring)."
  type        = string
}

variable "environment" {
  description = "dev, staging or production (names and labels)."
  type        = string
}

variable "notification_channels" {
  description = <<-EOT
    key => a Cloud Monitoring notification channel and the severities it receives, e.g.
    { oncall = { type = "email", labels = { email_address = "oncall@…" }, severities = ["critical", "warning"] } }.
    type and labels as the channel type's descriptor defines them (email: email_address; webhook_tokenauth: url;
    pagerduty's secret service_key is not wired here: use PagerDuty's email integration address instead).
  EOT
  type = map(object({
    type       = string
    labels     = map(string)
    severities = list(string)
  }))
  validation {
    condition     = alltrue([for c in values(var.notification_channels) : length(c.severities) > 0 && alltrue([for s in c.severities : contains(["critical", "warning"], s)])])
    error_message = "each channel receives critical and/or warning alerts."
  }
}

variable "rule_files" {
  description = "file name => text of a Prometheus rule file (charts/maps-api/files/monitoring/*.yaml); its alerting rules become policies."
  type        = map(string)
}

variable "prometheus_alerts" {
  description = "Create the policies of the rule files' alerts: where the chart deploys PodMonitoring and the recording rules (values monitoring.rules; a test compares)."
  type        = bool
}

variable "runbook_base_url" {
  description = "Prefix of each runbook_url (docs/runbooks/<page>.md) in the policies' documentation, e.g. the repository's web URL + '/blob/main/'; empty leaves the repository path."
  type        = string
  default     = ""
}
