vcl 4.1;

import std;

# Request normalisation: equivalent URLs share one object, and nothing client-specific reaches the key.
# Cookie and Authorization: the API is anonymous and public and reads neither. They cannot bypass the cache (policy.vcl
# hashes every GET itself, so the built-in "pass" for them never runs), and maps_normalize_backend_fetch drops them
# from what reaches the API; a hit never spends anything on them.
sub maps_normalize_backend_fetch {
    unset bereq.http.Cookie;
    unset bereq.http.Authorization;
}

sub maps_normalize {
    # Most requests are canonical tile URLs (no query string, nothing encoded, decimal z/x/y): one match, no rewrite.
    if (req.url !~ "^/maps/tileset/[^/?#%]+/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)$") {
        call maps_normalize_query;
        # One cache key per tile and per table: what is still not a canonical tile URL is checked.
        if (req.url !~ "^/maps/tileset/[^/%]+/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)/(0|[1-9][0-9]*)$") {
            call maps_normalize_refuse_equivalents;
        }
    }
}

sub maps_normalize_query {
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
}

# The API's router decodes %xx and reads z/x/y as numbers, so `%2E` for `.`, `%31` for `1` or `01` for `1` would name
# the same tile under another cache key (another BigQuery query per variant), and `/%6Detrics` would reach /metrics.
# (Status 1xxx: a refusal whose reason is the message; vcl_synth answers status - 1000.)
# No path, table id, coordinate or kept parameter value the API serves needs encoding, so such URLs are refused here
# with the API's own 400 (the API refuses them too: local-varnish/bad-urls-agree.test.ts runs its corpus through
# both). Other malformed URLs go to the API, whose 400/404 is cached briefly.
sub maps_normalize_refuse_equivalents {
    if (req.url ~ "^[^?]*%" || (req.url ~ "^/maps/table/" && req.url ~ "%")) {
        return (synth(1400, "percent-encoded characters are not accepted: ask the canonical URL"));
    }
    if (req.url ~ "^/maps/tileset/[^/]+/[^/]+/[^/]+/[^/]+$") {
        return (synth(1400, "z, x and y must be decimal integers without sign or leading zeros"));
    }
}
