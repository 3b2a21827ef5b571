# What the chart's BackendConfig and FrontendConfig name (values.yaml `ingress.securityPolicy`, `ingress.sslPolicy`; a
# test renders the chart against these names): a Cloud Armor policy on the load balancer's backend (Varnish) and the
# TLS versions the HTTPS front end accepts.
locals {
  # A deny rule holds at most 10 ranges: one rule per 10 blocked ranges (priorities 900-909), before the ban (1000).
  blocked_chunks      = chunklist(var.blocked_ip_ranges, 10)
  blocked_priority    = 900
  rate_limit_priority = 1000
}

resource "google_compute_security_policy" "edge" {
  #checkov:skip=CKV_GCP_73:Nothing behind this policy runs Java (Varnish, Node.js); a Log4j WAF rule would add cost and false positives only.
  project     = var.project_id
  name        = var.security_policy_name
  description = "maps-api ${var.environment}: per-client-IP rate-based ban in front of Varnish"
  type        = "CLOUD_ARMOR"

  # Blocked by an operator (docs/runbooks/api-outage.md): these addresses get 403 before any other rule.
  dynamic "rule" {
    for_each = local.blocked_chunks
    content {
      action      = "deny(403)"
      priority    = local.blocked_priority + rule.key
      description = "blocked by an operator (blocked_ip_ranges)"
      match {
        versioned_expr = "SRC_IPS_V1"
        config {
          src_ip_ranges = rule.value
        }
      }
    }
  }

  # The client IP the load balancer sees (its TCP peer, not a header a client could write): over rate.count requests
  # per rate.interval_sec it gets 429 for the rest of that interval; over ban.count in ban.interval_sec it gets 429
  # for ban.duration_sec more. preview = true only logs what would happen (the first week: read the logs, then enforce).
  rule {
    action      = "rate_based_ban"
    priority    = local.rate_limit_priority
    description = "per-IP rate-based ban"
    preview     = var.rate_limit.preview
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      enforce_on_key   = "IP"
      conform_action   = "allow"
      exceed_action    = "deny(429)"
      ban_duration_sec = var.rate_limit.ban_duration_sec
      rate_limit_threshold {
        count        = var.rate_limit.count
        interval_sec = var.rate_limit.interval_sec
      }
      ban_threshold {
        count        = var.rate_limit.ban_count
        interval_sec = var.rate_limit.ban_interval_sec
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "default rule"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

# HTTPS clients get TLS 1.2 or newer with Google's MODERN cipher profile (the default COMPATIBLE profile allows TLS 1.0).
resource "google_compute_ssl_policy" "tls" {
  project         = var.project_id
  name            = var.ssl_policy_name
  description     = "maps-api ${var.environment}: TLS 1.2+, MODERN ciphers"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}
