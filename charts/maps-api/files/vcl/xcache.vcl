vcl 4.1;

# X-Cache on every response (X-Table-Id and X-Data-Version pass through as the API set them): HIT, HIT-GRACE (stale
# while refreshing, or backend down), MISS, PASS, SYNTH (answered by Varnish itself: refusals, invalidation, 503
# without a stale copy; set in vcl_synth).
# A hit sets nothing on the request: delivery reads the object (a hit has obj.hits > 0, a stale one a negative TTL), so
# the hit path costs one header. Only the miss and pass paths mark the request (overwriting anything a client sent).
sub maps_xcache_deliver {
    if (obj.hits > 0) {
        if (obj.ttl >= 0s) {
            set resp.http.X-Cache = "HIT";
        } else {
            set resp.http.X-Cache = "HIT-GRACE";
        }
    } else {
        set resp.http.X-Cache = req.http.X-Cache;
    }
    # X-Table-Id (the backing table the API read: with public ids the URL no longer names it) and X-Data-Version stay:
    # together they are the ban key, so anyone can see which `X-Ban-Table` drops an answer and how fresh it is.
}
