variable "project_id" {
  description = "The environment's project (the load balancer the GKE Ingress creates lives there)."
  type        = string
}

variable "environment" {
  description = "dev, staging or production (descriptions only)."
  type        = string
}

variable "security_policy_name" {
  description = "Cloud Armor policy name: the chart's BackendConfig `securityPolicy.name` (values.yaml ingress.securityPolicy)."
  type        = string
  default     = "maps-api-edge"
}

variable "ssl_policy_name" {
  description = "SSL policy name: the chart's FrontendConfig `sslPolicy` (values.yaml ingress.sslPolicy)."
  type        = string
  default     = "maps-api-tls"
}

variable "rate_limit" {
  description = <<-EOF
    Per client IP: over `count` requests in `interval_sec` the rest of that interval gets 429; over `ban_count` in
    `ban_interval_sec` the client is banned (429) for `ban_duration_sec` more. Hits count too: Cloud Armor sits in
    front of Varnish. A map view loads tens of tiles; the defaults (1,200/min, ban above 6,000 in 5 min for 10 min)
    leave a person panning fast and a small office behind one NAT address room. preview = true: log, never enforce.
  EOF
  type = object({
    preview          = bool
    count            = optional(number, 1200)
    interval_sec     = optional(number, 60)
    ban_count        = optional(number, 6000)
    ban_interval_sec = optional(number, 300)
    ban_duration_sec = optional(number, 600)
  })
  validation {
    condition = (
      contains([10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600], var.rate_limit.interval_sec) &&
      contains([10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600], var.rate_limit.ban_interval_sec) &&
      contains([60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600], var.rate_limit.ban_duration_sec)
    )
    error_message = "Cloud Armor accepts intervals of 10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700 or 3600 s and ban durations of 60 to 3600 s from that list."
  }
  validation {
    condition     = var.rate_limit.count >= 1 && var.rate_limit.count <= 10000 && var.rate_limit.ban_count > var.rate_limit.count
    error_message = "a rate-based ban counts 1 to 10,000 requests per interval, and bans only above that (ban_count > count)."
  }
}

variable "blocked_ip_ranges" {
  description = "Addresses or CIDR ranges answered 403 before anything else (docs/runbooks/api-outage.md: block an abusive client)."
  type        = list(string)
  default     = []
  validation {
    condition     = length(var.blocked_ip_ranges) <= 100 && alltrue([for r in var.blocked_ip_ranges : can(cidrhost(r, 0)) && r != "0.0.0.0/0" && r != "::/0"])
    error_message = "blocked_ip_ranges: at most 100 CIDR ranges (a single address is /32 or /128), never everything."
  }
}
