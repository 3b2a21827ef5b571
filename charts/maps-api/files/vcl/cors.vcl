vcl 4.1;

# CORS for browsers on any origin (a web map on jsfiddle, the viewer on its own port). The values are the API's
# (@fastify/cors in api/src/cors.ts; a test compares them), so an answer reads the same from Varnish or from a pod.
# - `Access-Control-Allow-Origin: *`, never the caller's origin: one cached object serves every origin, no
#   `Vary: Origin` (a Vary on Origin from the backend is removed so the key never multiplies per origin).
# - Headers are stored on every object as it is fetched (vcl_backend_response, vcl_backend_error: cached, passed or
#   failed), whatever the backend sent, so HIT, MISS, HIT-GRACE, PASS and Varnish's 304 deliver them with no work per
#   answer (setting them on delivery cost ~8 % of a hit's instructions: docs/caching.md "Performance"); Varnish's own
#   answers get them in vcl_synth (400, 403, 404, 405, 429, 503 without a stale copy). A new Varnish pod starts with an
#   empty cache, so no object predates this file.
# - Preflight (any OPTIONS) is answered here with a synthetic 204: never cached, never passed, so it works while
#   every API pod is down. Allow-Headers reflects Access-Control-Request-Headers, as @fastify/cors does by default
#   (only header-name characters pass; anything else gets no Allow-Headers and the browser refuses on its own).

sub maps_cors_recv {
    if (req.method == "OPTIONS") {
        return (synth(204, "No Content"));
    }
}

sub maps_cors_backend_response {
    call maps_cors_object_headers;
    if (beresp.http.Vary ~ "(?i)(^|,)\s*origin\s*(,|$)") {
        set beresp.http.Vary = regsuball(beresp.http.Vary, "(?i)(^|,)\s*origin\s*(?=,|$)", "");
        set beresp.http.Vary = regsub(beresp.http.Vary, "^\s*,\s*", "");
        if (beresp.http.Vary ~ "^\s*$") {
            unset beresp.http.Vary;
        }
    }
}

sub maps_cors_object_headers {
    set beresp.http.Access-Control-Allow-Origin = "*";
    set beresp.http.Access-Control-Expose-Headers = "ETag, X-Cache, X-Data-Version, X-Request-Id, X-Served-By, X-Table-Id, Retry-After";
}

sub maps_cors_synth {
    set resp.http.Access-Control-Allow-Origin = "*";
    set resp.http.Access-Control-Expose-Headers = "ETag, X-Cache, X-Data-Version, X-Request-Id, X-Served-By, X-Table-Id, Retry-After";
    if (req.method == "OPTIONS") {
        set resp.http.Allow = "GET, HEAD, OPTIONS";
        set resp.http.Access-Control-Allow-Methods = "GET, HEAD, OPTIONS";
        if (req.http.Access-Control-Request-Headers ~ "^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$") {
            set resp.http.Access-Control-Allow-Headers = req.http.Access-Control-Request-Headers;
        }
        set resp.http.Access-Control-Max-Age = "86400";
    }
}
