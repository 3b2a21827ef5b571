vcl 4.1;

import std;

# Time to live. The API's Cache-Control decides (Varnish already parsed max-age/s-maxage into beresp.ttl);
# this file adds the fallbacks and the caps. 5xx never gets here (grace.vcl abandons it).
sub maps_ttl {
    # Anonymous API: a Set-Cookie would turn the object into hit-for-miss and defeat coalescing.
    unset beresp.http.Set-Cookie;

    if (beresp.http.Cache-Control ~ "(?i)(no-store|no-cache|private)" || beresp.http.Vary == "*") {
        # Explicitly uncacheable: short hit-for-miss (the next cacheable answer is still cached).
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        set beresp.grace = 0s;
        return (deliver);
    }

    if (beresp.status >= 400) {
        # 4xx (bad parameters, 404, 413): honour max-age but never more than 30 s; Varnish itself would not
        # cache 400 or 413 at all, so the TTL is set explicitly. No long grace for errors.
        set beresp.ttl = std.duration(regsub(beresp.http.Cache-Control, "^.*max-age=([0-9]+).*$", "\1s"), 10s);
        if (beresp.ttl > 30s) {
            set beresp.ttl = 30s;
        }
        set beresp.grace = 10s;
        return (deliver);
    }

    if (beresp.http.Cache-Control !~ "(?i)max-age=" && !beresp.http.Expires) {
        # No freshness from the API (an older build, a proxy in between): per-route defaults.
        if (bereq.url ~ "^/maps/tileset/") {
            set beresp.ttl = 1d;
        } else if (bereq.url ~ "^/maps/table/") {
            set beresp.ttl = 5m;
        } else {
            set beresp.ttl = 1m;
        }
    }
}
