vcl 4.1;

import std;
import vsthrottle;

# Miss budget: every cache miss is a BigQuery query we pay for, so each client may cause only so many. Hits are
# never counted or refused (this runs in vcl_miss only); coalesced requests wait for one fetch and count once.
# - The client is the address the Google load balancer saw. Its proxies (GFEs) connect from `acl load_balancers`
#   (the chart's networkPolicy.loadBalancerCidrs, the only sources the NetworkPolicy admits) and hand over
#   `X-Forwarded-For: <what the client sent>, <client IP>, <load balancer IP>`; Varnish appends the GFE's own
#   address, so the client is the third entry from the right. Everything left of it is the client's own text and
#   ignored, so no header a client sends changes its key. Any other peer is keyed by its TCP address.
# - Operators (`acl purgers`: loopback, reached only through `kubectl port-forward`, i.e. Kubernetes RBAC) have no
#   budget: the rehearsal's load, bans, the deploy smoke and the bench are never refused.
# - Token bucket (vsthrottle): up to N misses at once, refilled at N per period; beyond it 429 with Retry-After (the
#   time one miss takes to refill). N and the period come from the site file's `sub maps_budget_limits` (chart
#   values varnish.missBudget, per environment).
sub maps_budget_miss {
    if (client.ip !~ purgers) {
        call maps_budget_limits;
        set req.http.X-Maps-Client = client.ip;
        if (client.ip ~ load_balancers &&
            req.http.X-Forwarded-For ~ "([^,\s]+)\s*,[^,]*,[^,]*$") {
            set req.http.X-Maps-Client = regsub(req.http.X-Forwarded-For, "^.*?([^,\s]+)\s*,[^,]*,[^,]*$", "\1");
        }
        if (vsthrottle.is_denied(req.http.X-Maps-Client,
                std.integer(req.http.X-Maps-Budget-Misses, 1),
                std.duration(req.http.X-Maps-Budget-Period, 60s))) {
            return (synth(1429, "miss budget of this client used up: cached tiles still answer; retry later"));
        }
    }
}
