vcl 4.1;
# Rendered by the maps-api Helm chart (templates/_site-vcl.tpl): edit the template, not this file.

import directors;

# /healthz is liveness only (no BigQuery): a sick backend means no process answers, not that BigQuery is slow.
probe healthz {
    .url = "/healthz";
    .interval = 1s;
    .timeout = 1s;
    .window = 5;
    # One process per backend: sick after 3 failures out of the last 5 (about 3 s), healthy after 3 good ones.
    .threshold = 3;
    .initial = 3;
    .expected_response = 200;
}

backend api_0 {
    .host = "api-1";
    .port = "3000";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}

backend api_1 {
    .host = "api-2";
    .port = "3000";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}

backend api_2 {
    .host = "api-3";
    .port = "3000";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}

backend api_3 {
    .host = "api-4";
    .port = "3000";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}

backend api_4 {
    .host = "api-5";
    .port = "3000";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}

# Operators: PURGE/BAN, and no miss budget. Loopback is reached only through `kubectl port-forward` (RBAC).
acl purgers {
    "127.0.0.1";
    "::1";
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

# The load balancer's proxies (networkPolicy.loadBalancerCidrs, the sources the NetworkPolicy admits): their
# X-Forwarded-For names the client (budget.vcl).
acl load_balancers {
    "130.211.0.0"/22;
    "35.191.0.0"/16;
}

# Misses one client may cause (varnish.missBudget): a bucket of `misses`, refilled at `misses` per period.
sub maps_budget_limits {
    set req.http.X-Maps-Budget-Misses = "60";
    set req.http.X-Maps-Budget-Period = "60s";
    # One miss refills in period / misses seconds (rounded up): when a refused client may ask again.
    set req.http.X-Maps-Budget-Retry-After = "1";
}

sub vcl_init {
    new api = directors.round_robin();
    api.add_backend(api_0);
    api.add_backend(api_1);
    api.add_backend(api_2);
    api.add_backend(api_3);
    api.add_backend(api_4);
}

sub vcl_recv {
    set req.backend_hint = api.backend();
}

include "policy.vcl";
