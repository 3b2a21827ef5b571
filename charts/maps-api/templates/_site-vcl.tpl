{{/*
The site entry VCL: the only backend-aware VCL. policy.vcl and probe.vcl (files/vcl/, owned by the VCL suite) stay
backend-free so varnishtest can include them with its own backend. The backend host is the API's ClusterIP Service:
Varnish resolves it once, at VCL compile time, and needs exactly one address.
*/}}
{{- define "maps-api.siteVcl" -}}
vcl 4.1;
# Rendered by the maps-api Helm chart (templates/_site-vcl.tpl). Do not edit in the cluster.

import directors;

include "probe.vcl";

backend api_0 {
    .host = "{{ include "maps-api.apiName" . }}";
    .port = "3000";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
}

acl purgers {
    "127.0.0.1";
    "::1";
{{- range .Values.varnish.purgers }}
{{- $parts := splitList "/" . }}
    "{{ index $parts 0 }}"/{{ index $parts 1 }};
{{- end }}
}

sub vcl_init {
    new api = directors.round_robin();
    api.add_backend(api_0);
}

sub vcl_recv {
    set req.backend_hint = api.backend();
}

include "policy.vcl";
{{ end }}
