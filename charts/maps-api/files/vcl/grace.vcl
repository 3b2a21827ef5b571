vcl 4.1;

import std;

# Grace: how stale an object may be served.
# - Every object keeps a long grace: the API's stale-if-error (tiles 7 d, tables 1 d), 6 h when absent.
# - While the backend is healthy, lookups accept only 10 s of staleness: a graced hit starts a background
#   refresh and older objects are fetched in the foreground (coalesced), so clients see fresh data.
# - While the backend is sick (probe), the whole grace applies: clients get stale objects, not errors.
# - When a fetch fails anyway (5xx, connection refused after retries, every connection in use) the request restarts
#   once and may take any stale copy (stale-if-error); without one it gets a fast 503. That restart is the policy's
#   only one, so `req.restarts > 0` marks it (no request header to set, or to clear on every hit).

sub maps_grace_recv {
    if (req.restarts > 0) {
        # Restarted after a failed fetch: the object's own (long) grace applies. req.grace survives restarts,
        # so lift the 10 s cap set on the first pass.
        set req.grace = 365d;
    } else if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
}

sub maps_grace_miss {
    if (req.restarts > 0) {
        # No stale copy to fall back on: fail fast instead of asking a failing (or saturated: every connection of
        # the backend's max_connections in use) backend again; vcl_synth adds Retry-After.
        return (synth(1503, "the API is unavailable or at capacity; retry later"));
    }
}

sub maps_grace_backend_response {
    if (beresp.status >= 500) {
        # A background refresh keeps the stale object; a foreground fetch turns into a restart in maps_grace_synth.
        return (abandon);
    }
    set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 6h);
}

sub maps_grace_backend_error {
    # Connection failed: try another backend (the director picks the next one), then give up to the client side.
    if (bereq.retries < 2) {
        return (retry);
    }
    if (!bereq.uncacheable) {
        return (abandon);
    }
}

sub maps_grace_synth {
    if (resp.status == 503 && req.restarts == 0 && (req.method == "GET" || req.method == "HEAD")) {
        return (restart);
    }
}
