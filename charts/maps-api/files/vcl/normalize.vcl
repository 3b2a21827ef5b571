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
}
