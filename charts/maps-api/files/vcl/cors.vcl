vcl 4.1;

# CORS for browsers on any origin (a web map on jsfiddle, the viewer on its own port). The values are the API's
# (@fastify/cors in api/src/cors.ts; a test compares them), so an answer reads the same from Varnish or from a pod.
# - `Access-Control-Allow-Origin: *`, never the caller's origin: one cached object serves every origin, no
#   `Vary: Origin` (a Vary on Origin from the backend is removed so the key never multiplies per origin).
# - Headers are set on delivery, not stored: HIT, MISS, HIT-GRACE, 304 and objects cached before this file existed
#   all carry them, as do Varnish's own answers (vcl_synth: 403, 405, 503 without a stale copy).
# - Preflight (any OPTIONS) is answered here with a synthetic 204: never cached, never passed, so it works while
#   every API pod is down. Allow-Headers reflects Access-Control-Request-Headers, as @fastify/cors does by default
#   (only header-name characters pass; anything else gets no Allow-Headers and the browser refuses on its own).

sub maps_cors_recv {
    if (req.method == "OPTIONS") {
        return (synth(204, "No Content"));
    }
}

sub maps_cors_backend_response {
    if (beresp.http.Vary ~ "(?i)(^|,)\s*origin\s*(,|$)") {
        set beresp.http.Vary = regsuball(beresp.http.Vary, "(?i)(^|,)\s*origin\s*(?=,|$)", "");
        set beresp.http.Vary = regsub(beresp.http.Vary, "^\s*,\s*", "");
        if (beresp.http.Vary ~ "^\s*$") {
            unset beresp.http.Vary;
        }
    }
}

sub maps_cors_headers {
    set resp.http.Access-Control-Allow-Origin = "*";
    set resp.http.Access-Control-Expose-Headers = "ETag, X-Cache, X-Data-Version, X-Request-Id, X-Served-By, X-Table-Id, Retry-After";
}

sub maps_cors_deliver {
    call maps_cors_headers;
}

sub maps_cors_synth {
    call maps_cors_headers;
    if (req.method == "OPTIONS") {
        set resp.http.Allow = "GET, HEAD, OPTIONS";
        set resp.http.Access-Control-Allow-Methods = "GET, HEAD, OPTIONS";
        if (req.http.Access-Control-Request-Headers ~ "^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$") {
            set resp.http.Access-Control-Allow-Headers = req.http.Access-Control-Request-Headers;
        }
        set resp.http.Access-Control-Max-Age = "86400";
    }
}
