vcl 4.1;

# X-Cache on every response (X-Table-Id and X-Data-Version pass through as the API set them): HIT, HIT-GRACE (stale while refreshing, or backend down), MISS, PASS, SYNTH
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
    # X-Table-Id (the backing table the API read: with public ids the URL no longer names it) and X-Data-Version stay:
    # together they are the ban key, so anyone can see which `X-Ban-Table` drops an answer and how fresh it is.
}
