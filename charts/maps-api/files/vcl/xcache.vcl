vcl 4.1;

# X-Cache on every response: HIT, HIT-GRACE (stale while refreshing, or backend down), MISS, PASS, SYNTH
# (answered by Varnish itself: invalidation, refusals, 503 without a stale copy).
sub maps_xcache_hit {
    if (obj.ttl >= 0s) {
        set req.http.X-Cache = "HIT";
    } else {
        set req.http.X-Cache = "HIT-GRACE";
    }
}

sub maps_xcache_deliver {
    set resp.http.X-Cache = req.http.X-Cache;
    # X-Table-Id is the internal ban key: clients already see the table in the URL; X-Data-Version stays
    # (it tells clients how fresh the data is).
    unset resp.http.X-Table-Id;
}
