mock_provider "google" {
  override_during = plan
}

variables {
  project_id  = "p-test"
  environment = "staging"
  rate_limit  = { preview = false }
}

run "each_client_ip_is_rate_limited_then_banned_with_429" {
  command = plan

  assert {
    condition     = output.security_policy_name == "maps-api-edge" && google_compute_security_policy.edge.name == "maps-api-edge" && output.ssl_policy_name == "maps-api-tls" && google_compute_ssl_policy.tls.name == "maps-api-tls"
    error_message = "the names the chart's BackendConfig and FrontendConfig refer to are the policies' names"
  }
  assert {
    condition = [for r in google_compute_security_policy.edge.rule : {
      action       = r.action, priority = r.priority, preview = r.preview, key = r.rate_limit_options[0].enforce_on_key,
      exceed       = r.rate_limit_options[0].exceed_action, count = r.rate_limit_options[0].rate_limit_threshold[0].count,
      interval     = r.rate_limit_options[0].rate_limit_threshold[0].interval_sec, ban = r.rate_limit_options[0].ban_threshold[0].count,
      ban_interval = r.rate_limit_options[0].ban_threshold[0].interval_sec, ban_for = r.rate_limit_options[0].ban_duration_sec,
      ranges       = r.match[0].config[0].src_ip_ranges
      } if r.action == "rate_based_ban"] == [{
      action   = "rate_based_ban", priority = 1000, preview = false, key = "IP", exceed = "deny(429)", count = 1200,
      interval = 60, ban = 6000, ban_interval = 300, ban_for = 600, ranges = toset(["*"])
    }]
    error_message = "one rate-based ban on every client IP: 1,200 requests a minute, banned 10 min above 6,000 in 5 min, 429"
  }
  assert {
    condition     = toset([for r in google_compute_security_policy.edge.rule : "${r.priority} ${r.action}"]) == toset(["1000 rate_based_ban", "2147483647 allow"])
    error_message = "without blocked ranges: the ban and the default allow, nothing else"
  }
}

run "the_first_week_only_logs_what_the_ban_would_do" {
  command = plan

  variables {
    rate_limit = { preview = true }
  }

  assert {
    condition     = one([for r in google_compute_security_policy.edge.rule : r.preview if r.action == "rate_based_ban"]) == true
    error_message = "preview switch reaches the rate-based rule"
  }
}

run "blocked_ranges_get_403_before_the_ban_ten_ranges_per_rule" {
  command = plan

  variables {
    blocked_ip_ranges = [for i in range(12) : "198.51.100.${i}/32"]
  }

  assert {
    condition     = toset([for r in google_compute_security_policy.edge.rule : "${r.priority} ${r.action} ${length(r.match[0].config[0].src_ip_ranges)}" if r.action == "deny(403)"]) == toset(["900 deny(403) 10", "901 deny(403) 2"])
    error_message = "12 ranges: rule 900 with 10, rule 901 with 2, both before the rate-based ban (1000)"
  }
}

run "https_clients_need_tls_1_2_or_newer" {
  command = plan

  assert {
    condition     = google_compute_ssl_policy.tls.min_tls_version == "TLS_1_2" && google_compute_ssl_policy.tls.profile == "MODERN"
    error_message = "TLS 1.2+, MODERN profile"
  }
}

run "refuses_an_interval_cloud_armor_does_not_accept" {
  command = plan

  variables {
    rate_limit = { preview = false, interval_sec = 45 }
  }

  expect_failures = [var.rate_limit]
}

run "refuses_to_block_everyone" {
  command = plan

  variables {
    blocked_ip_ranges = ["0.0.0.0/0"]
  }

  expect_failures = [var.blocked_ip_ranges]
}
