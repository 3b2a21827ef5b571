vcl 4.1;

import std;

# Invalidation API, only from `acl purgers` (declared by the site file):
#   PURGE <url>                                   drops the object of one (normalised) URL
#   BAN / + X-Ban-Table: project.dataset.table    drops every object of one table (tiles and GeoJSON)
#         [+ X-Ban-Data-Version: <iso time>]      ... except objects already carrying that data version
# Bans test only obj.http.* so the ban lurker can apply them in the background.
sub maps_invalidation {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        return (purge);
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # Strict allow-lists: the values are spliced, unquoted, into a ban expression (std.ban would keep quotes
        # as part of the value), so they must not contain spaces, quotes or operators.
        if (req.http.X-Ban-Table !~ "^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_-]+){2}$") {
            return (synth(400, "X-Ban-Table must be project.dataset.table"));
        }
        if (req.http.X-Ban-Data-Version) {
            if (req.http.X-Ban-Data-Version !~ "^[0-9A-Za-z:.+-]+$") {
                return (synth(400, "X-Ban-Data-Version must be an ISO time"));
            }
            if (std.ban("obj.http.X-Table-Id == " + req.http.X-Ban-Table +
                        " && obj.http.X-Data-Version != " + req.http.X-Ban-Data-Version)) {
                return (synth(200, "Banned"));
            }
        } else if (std.ban("obj.http.X-Table-Id == " + req.http.X-Ban-Table)) {
            return (synth(200, "Banned"));
        }
        return (synth(400, "Ban refused: " + std.ban_error()));
    }
}

sub vcl_purge {
    return (synth(200, "Purged"));
}
