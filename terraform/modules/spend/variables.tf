variable "project_id" {
  description = "The environment's project: the quota, the alert and the budget's filter."
  type        = string
}

variable "environment" {
  description = "dev, staging or production (names and labels)."
  type        = string
}

variable "bigquery_tib_per_day" {
  description = "Ceiling on the project's on-demand BigQuery query bytes per day, in TiB (QueryUsagePerDay; $6.25 a TiB in US)."
  type        = number
  validation {
    condition     = var.bigquery_tib_per_day > 0 && var.bigquery_tib_per_day <= 200
    error_message = "bigquery_tib_per_day is more than 0 and at most 200 (BigQuery's default ceiling)."
  }
}

variable "budget" {
  description = <<-EOT
    Monthly billing budget of the project: billing_account (XXXXXX-XXXXXX-XXXXXX; null: no budget, plan warns),
    monthly_amount in currency_code units, thresholds of actual spend (0.5 = 50 %) besides 100 % forecasted.
  EOT
  type = object({
    billing_account = optional(string)
    monthly_amount  = number
    currency_code   = optional(string, "USD")
    thresholds      = optional(list(number), [0.5, 0.9, 1.0])
  })
  validation {
    condition     = var.budget.billing_account == null || can(regex("^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$", var.budget.billing_account))
    error_message = "budget.billing_account is a billing account ID: six hexadecimal digits, three times, joined by '-'."
  }
  validation {
    condition     = var.budget.monthly_amount > 0 && length(var.budget.thresholds) > 0 && alltrue([for t in var.budget.thresholds : t > 0])
    error_message = "a budget needs a positive amount and at least one positive threshold."
  }
}

variable "notification_channel_ids" {
  description = "Cloud Monitoring channels (projects/…/notificationChannels/…) told about the hourly bytes and the budget (at most 5)."
  type        = list(string)
  validation {
    condition     = length(var.notification_channel_ids) > 0 && length(var.notification_channel_ids) <= 5
    error_message = "1 to 5 notification channels (a budget accepts at most 5)."
  }
}

variable "runbook_base_url" {
  description = "Prefix of the runbook path in the alert's documentation (empty: the repository path)."
  type        = string
  default     = ""
}
