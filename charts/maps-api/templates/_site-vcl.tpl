{{/*
The site entry VCL: the only backend-aware VCL (backends and their health probe). policy.vcl and the files it
includes (files/vcl/, owned by the VCL suite) stay backend-free so varnishtest can include them with its own backend.
In the cluster the one backend is the API's ClusterIP Service: Varnish resolves it once, at VCL compile time, and needs
exactly one address. The local launchers (npm start, compose, the bench) render this same file with varnish.backends
set to their API processes.
*/}}
{{- define "maps-api.siteVcl" -}}
{{- $processes := .Values.varnish.backends -}}
{{- $backends := $processes | default (list (dict "host" (include "maps-api.apiName" .) "port" 3000)) -}}
vcl 4.1;
# Rendered by the maps-api Helm chart (templates/_site-vcl.tpl): edit the template, not this file.

import directors;

# /healthz is liveness only (no BigQuery): a sick backend means no process answers, not that BigQuery is slow.
probe healthz {
    .url = "/healthz";
    .interval = 1s;
    .timeout = 1s;
    .window = 5;
{{- if $processes }}
    # One process per backend: sick after 3 failures out of the last 5 (about 3 s), healthy after 3 good ones.
    .threshold = 3;
    .initial = 3;
{{- else }}
    # The Service address: each probe reaches one random ready pod, and the verdict applies to all of them. Sick
    # only when none of the last 5 probes was answered (no pod left: about 5 s), healthy at the first answer. With
    # "3 of 5" a terminating or slow pod drawn three times marked every pod sick for seconds, and each pass and
    # miss got 503 during rolling upgrades (rehearsal/README.md, Findings). Per-pod health is Kubernetes' readiness.
    .threshold = 1;
    .initial = 1;
{{- end }}
    .expected_response = 200;
}
{{ range $i, $backend := $backends }}
backend api_{{ $i }} {
    .host = "{{ $backend.host }}";
    .port = "{{ $backend.port }}";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}
{{ end }}
# Operators: PURGE/BAN, and no miss budget. Loopback is reached only through `kubectl port-forward` (RBAC).
acl purgers {
    "127.0.0.1";
    "::1";
{{- range .Values.varnish.purgers }}
{{- $parts := splitList "/" . }}
    "{{ index $parts 0 }}"/{{ index $parts 1 }};
{{- end }}
}

# The load balancer's proxies (networkPolicy.loadBalancerCidrs, the sources the NetworkPolicy admits): their
# X-Forwarded-For names the client (budget.vcl).
acl load_balancers {
{{- range .Values.networkPolicy.loadBalancerCidrs }}
{{- $parts := splitList "/" . }}
    "{{ index $parts 0 }}"/{{ index $parts 1 }};
{{- end }}
}

# Misses one client may cause (varnish.missBudget): a bucket of `misses`, refilled at `misses` per period.
sub maps_budget_limits {
{{- $budget := .Values.varnish.missBudget }}
    set req.http.X-Maps-Budget-Misses = "{{ $budget.misses }}";
    set req.http.X-Maps-Budget-Period = "{{ $budget.periodSeconds }}s";
    # One miss refills in period / misses seconds (rounded up): when a refused client may ask again.
    set req.http.X-Maps-Budget-Retry-After = "{{ max 1 (div (sub (add $budget.periodSeconds $budget.misses) 1) $budget.misses) }}";
}

sub vcl_init {
    new api = directors.round_robin();
{{- range $i, $backend := $backends }}
    api.add_backend(api_{{ $i }});
{{- end }}
}

sub vcl_recv {
    set req.backend_hint = api.backend();
}

include "policy.vcl";
{{ end }}
