vcl 4.1;

# What the site file declares besides backends and purgers, for the .vtc cases that do not test it: no load balancer
# in front (TEST-NET-1 only) and a miss budget no case reaches. The budget cases declare their own. Not shipped: the
# chart's ConfigMap takes only files/vcl/*.vcl.
acl load_balancers { "192.0.2.1"; }

sub maps_budget_limits {
    set req.http.X-Maps-Budget-Misses = "100000";
    set req.http.X-Maps-Budget-Period = "60s";
    set req.http.X-Maps-Budget-Retry-After = "1";
}
