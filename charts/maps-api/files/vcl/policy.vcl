vcl 4.1;

# maps-api cache policy, backend-free. The including site file must, before `include "policy.vcl";`:
#   declare the backends, an `acl purgers` (operators: invalidation, no miss budget), an `acl load_balancers` (the
#   proxies whose X-Forwarded-For names the client) and `sub maps_budget_limits` (budget.vcl), and set
#   req.backend_hint in its own `sub vcl_recv`.
# Varnish concatenates same-named subs in include order, so the site's vcl_recv runs first.
# One file per concern, each with its .vtc tests beside it.

import std;

include "./normalize.vcl";
include "./budget.vcl";
include "./invalidation.vcl";
include "./ttl.vcl";
include "./grace.vcl";
include "./xcache.vcl";
include "./cors.vcl";

sub vcl_recv {
    call maps_normalize;
    if (req.url == "/varnish-ready") {
        # Kubernetes readiness (and startup) probe, answered by this VCL: the child runs, the policy is loaded and a
        # worker answered. Never passed to the API, so Varnish stays ready to serve grace while every API pod is down.
        return (synth(200, "Ready"));
    }
    call maps_invalidation;
    call maps_cors_recv;
    if (req.method != "GET" && req.method != "HEAD") {
        # Read-only API: refuse writes here instead of passing them to the pods.
        return (synth(405, "Method Not Allowed"));
    }
    if (req.url == "/metrics" || req.url == "/readyz") {
        # Operational endpoints of the pods, not the public's: Prometheus scrapes each pod, Kubernetes probes each
        # pod. Liveness (/healthz) stays: it reveals nothing and the deploy smoke reads it. (maps_normalize already
        # dropped any query string and refused encodings: two comparisons, no regex, on every request.)
        return (synth(1404, "no route for " + req.method + " " + req.url));
    }
    if (req.url == "/healthz") {
        return (pass);
    }
    call maps_grace_recv;
    return (hash);
}

sub vcl_hash {
    # One origin: the URL alone names an object, whatever Host the client used (Service name, Ingress host).
    hash_data(req.url);
    return (lookup);
}

sub vcl_hit {
    return (deliver);
}

sub vcl_miss {
    call maps_grace_miss;
    call maps_budget_miss;
    set req.http.X-Cache = "MISS";
    return (fetch);
}

sub vcl_pass {
    set req.http.X-Cache = "PASS";
    return (fetch);
}

sub vcl_backend_fetch {
    call maps_normalize_backend_fetch;
    unset bereq.http.X-Cache;
    unset bereq.http.X-Maps-Client;
    unset bereq.http.X-Maps-Budget-Misses;
    unset bereq.http.X-Maps-Budget-Period;
    unset bereq.http.X-Maps-Budget-Retry-After;
    if (bereq.method == "GET") {
        unset bereq.body;
    }
    return (fetch);
}

sub vcl_backend_response {
    call maps_cors_backend_response;
    if (bereq.uncacheable) {
        return (deliver);
    }
    call maps_grace_backend_response;
    call maps_ttl;
    if (!beresp.http.Content-Encoding && beresp.http.Content-Type ~ "json") {
        # Store GeoJSON compressed: about 5x less memory; Varnish gunzips for the rare client without gzip.
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_backend_error {
    call maps_grace_backend_error;
    call maps_cors_object_headers;
    set beresp.http.Content-Type = "application/json";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "5";
    set beresp.body = {"{"statusCode":"} + beresp.status + {","error":"UNAVAILABLE","message":"Backend fetch failed""} + "}";
    return (deliver);
}

sub vcl_deliver {
    call maps_xcache_deliver;
    return (deliver);
}

sub vcl_synth {
    call maps_grace_synth;
    call maps_cors_synth;
    set resp.http.X-Cache = "SYNTH";
    if (resp.status == 204) {
        # The preflight answer: headers only.
        set resp.http.Cache-Control = "no-store";
        return (deliver);
    }
    if (resp.status == 405) {
        set resp.http.Allow = "GET, HEAD, OPTIONS";
    }
    set resp.http.Content-Type = "application/json";
    set resp.http.Cache-Control = "no-store";
    # When to ask again: 429 (miss budget; the site's value, set on this request) and 503 (no API connection free, no
    # stale copy).
    if (resp.status == 1429) {
        set resp.http.Retry-After = req.http.X-Maps-Budget-Retry-After;
    } else if (resp.status == 503 || resp.status == 1503) {
        set resp.http.Retry-After = "5";
    }
    if (resp.status >= 400) {
        # The API's error body ({statusCode, error, message}, api/src/app.ts): a client reads one shape. A 1xxx status
        # is one of the policy's refusals, its reason the message.
        set req.http.X-Maps-Error-Message = resp.reason;
        if (resp.status >= 1000) {
            set resp.status = resp.status - 1000;
            call maps_reason_phrase;
        }
        call maps_error_code;
        set resp.body = {"{"statusCode":"} + resp.status + {","error":""} + req.http.X-Maps-Error-Code +
            {"","message":""} + req.http.X-Maps-Error-Message + {"""} + "}";
    } else {
        set resp.body = {"{"statusCode":"} + resp.status + {","message":""} + resp.reason + {"""} + "}";
    }
    return (deliver);
}

sub maps_error_code {
    if (resp.status == 400) {
        set req.http.X-Maps-Error-Code = "BAD_REQUEST";
    } else if (resp.status == 403) {
        set req.http.X-Maps-Error-Code = "FORBIDDEN";
    } else if (resp.status == 404) {
        set req.http.X-Maps-Error-Code = "NOT_FOUND";
    } else if (resp.status == 405) {
        set req.http.X-Maps-Error-Code = "METHOD_NOT_ALLOWED";
    } else if (resp.status == 429) {
        set req.http.X-Maps-Error-Code = "TOO_MANY_REQUESTS";
    } else if (resp.status == 503) {
        set req.http.X-Maps-Error-Code = "UNAVAILABLE";
    } else {
        set req.http.X-Maps-Error-Code = "ERROR";
    }
}

sub maps_reason_phrase {
    if (resp.status == 400) {
        set resp.reason = "Bad Request";
    } else if (resp.status == 404) {
        set resp.reason = "Not Found";
    } else if (resp.status == 429) {
        set resp.reason = "Too Many Requests";
    } else if (resp.status == 503) {
        set resp.reason = "Service Unavailable";
    }
}
