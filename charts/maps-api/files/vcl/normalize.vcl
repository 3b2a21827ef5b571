vcl 4.1;

import std;

# Request normalisation: equivalent URLs share one object, and nothing client-specific reaches the key.
sub maps_normalize {
    # The API is anonymous and public: it reads neither cookies nor credentials. Dropping both (instead of the
    # built-in "pass") means a client cannot bypass the cache, and BigQuery's bill, by adding a header.
    unset req.http.Cookie;
    unset req.http.Authorization;

    set req.url = regsub(req.url, "#.*$", "");
    if (req.url ~ "\?") {
        # Drop empty parameters ("a=", "a", "&&"), then sort the rest.
        set req.url = regsuball(req.url, "(?<=[?&])[^&=]*=?(?=&|$)", "");
        set req.url = regsuball(req.url, "&{2,}", "&");
        set req.url = regsub(req.url, "\?&+", "?");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = std.querysort(req.url);
    }
}
