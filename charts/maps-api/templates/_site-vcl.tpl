{{/*
The site entry VCL: the only backend-aware VCL. policy.vcl and probe.vcl (files/vcl/, owned by the VCL suite) stay
backend-free so varnishtest can include them with its own backend. In the cluster the one backend is the API's
ClusterIP Service: Varnish resolves it once, at VCL compile time, and needs exactly one address. The local launchers
(npm start, compose, the bench) render this same file with varnish.backends set to their API processes.
*/}}
{{- define "maps-api.siteVcl" -}}
{{- $backends := .Values.varnish.backends | default (list (dict "host" (include "maps-api.apiName" .) "port" 3000)) -}}
vcl 4.1;
# Rendered by the maps-api Helm chart (templates/_site-vcl.tpl): edit the template, not this file.

import directors;

include "probe.vcl";
{{ range $i, $backend := $backends }}
backend api_{{ $i }} {
    .host = "{{ $backend.host }}";
    .port = "{{ $backend.port }}";
    .probe = healthz;
    .connect_timeout = 1s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 10s;
}
{{ end }}
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
{{- range $i, $backend := $backends }}
    api.add_backend(api_{{ $i }});
{{- end }}
}

sub vcl_recv {
    set req.backend_hint = api.backend();
}

include "policy.vcl";
{{ end }}
