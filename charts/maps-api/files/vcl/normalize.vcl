vcl 4.1;

import std;

# Request normalisation: equivalent URLs share one object, and nothing client-specific reaches the key.
sub maps_normalize {
    # The API is anonymous and public: it reads neither cookies nor credentials. Dropping both (instead of the
    # built-in "pass") means a client cannot bypass the cache, and BigQuery's bill, by adding a header.
    unset req.http.Cookie;
    unset req.http.Authorization;

    # Most requests (a tile without a query string) have nothing to rewrite: one match instead of two rewrites.
    if (req.url ~ "[?#]") {
        set req.url = regsub(req.url, "#.*$", "");
        # The key holds only what the API reads, so no parameter can bust the cache (and bill a BigQuery query
        # per variant): the table route reads geomField and format; no other route reads a query string. The
        # backend gets the same normalised URL, so it answers exactly what is cached. A route that starts reading
        # a parameter must be added here.
        if (req.url !~ "^/maps/table/") {
            set req.url = regsub(req.url, "\?.*$", "");
        } else if (req.url ~ "\?") {
            # Keep geomField= and format= (names are case-sensitive, as in the API), drop every other parameter.
            set req.url = regsuball(req.url, "(?<=[?&])(?!(?:geomField|format)=)[^&]*", "");
            # Drop empty parameters ("a=", "a", "&&"), then sort the rest.
            set req.url = regsuball(req.url, "(?<=[?&])[^&=]*=?(?=&|$)", "");
            set req.url = regsuball(req.url, "&{2,}", "&");
            set req.url = regsub(req.url, "\?&+", "?");
            set req.url = regsub(req.url, "[?&]+$", "");
            set req.url = std.querysort(req.url);
        }
    }
    # One cache key per tile and per table: a canonical tile URL passes with this one match; any other URL is
    # checked below.
    if (req.url !~ "^/maps/tileset/[^/%]+/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)$") {
        call maps_normalize_refuse_equivalents;
    }
}

# The API's router decodes %xx and reads z/x/y as numbers, so `%2E` for `.`, `%31` for `1` or `01` for `1` would name
# the same tile under another cache key (another BigQuery query per variant), and `/%6Detrics` would reach /metrics.
# No path, table id, coordinate or kept parameter value the API serves needs encoding, so such URLs are refused here
# with the API's own 400 (the API refuses them too: local-varnish/bad-urls-agree.test.ts runs its corpus through
# both). Other malformed URLs go to the API, whose 400/404 is cached briefly.
sub maps_normalize_refuse_equivalents {
    if (req.url ~ "^[^?]*%" || (req.url ~ "^/maps/table/" && req.url ~ "%")) {
        set req.http.X-Maps-Error-Message = "percent-encoded characters are not accepted: ask the canonical URL";
        return (synth(400, "Bad Request"));
    }
    if (req.url ~ "^/maps/tileset/[^/]+/[^/]+/[^/]+/[^/]+$") {
        set req.http.X-Maps-Error-Message = "z, x and y must be decimal integers without sign or leading zeros";
        return (synth(400, "Bad Request"));
    }
}
