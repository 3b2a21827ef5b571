{{/* Object names: <release>-api and <release>-varnish; the API ServiceAccount name is fixed by Terraform's binding. */}}
{{- define "maps-api.apiName" -}}{{ printf "%s-api" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end }}
{{- define "maps-api.varnishName" -}}{{ printf "%s-varnish" .Release.Name | trunc 63 | trimSuffix "-" }}{{- end }}

{{- define "maps-api.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: maps-api
maps-api/environment: {{ .Values.environment }}
{{- end }}

{{/* Selector labels: stable across upgrades (never include the version). Call with (dict "root" $ "component" "api"). */}}
{{- define "maps-api.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* repository@digest when a digest is given (immutable), else repository:tag (tag defaults to appVersion). */}}
{{- define "maps-api.image" -}}
{{- $image := .image -}}
{{- if $image.digest -}}
{{ $image.repository }}@{{ $image.digest }}
{{- else -}}
{{ $image.repository }}:{{ $image.tag | default .root.Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* The restricted Pod Security profile, container level. */}}
{{- define "maps-api.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Pod level: call with the uid. */}}
{{- define "maps-api.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "maps-api.topologySpread" -}}
{{- $spread := .root.Values.topologySpread -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: {{ $spread.zone }}
  labelSelector:
    matchLabels: {{- include "maps-api.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
  matchLabelKeys: ["pod-template-hash"]
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: {{ $spread.node }}
  labelSelector:
    matchLabels: {{- include "maps-api.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
  matchLabelKeys: ["pod-template-hash"]
{{- end }}

{{/* Varnish storage from the memory limit (MiB): see values.yaml varnish.storage. */}}
{{- define "maps-api.varnishUsableMi" -}}
{{- $usable := sub .Values.varnish.memoryLimitMi .Values.varnish.storage.overheadMi -}}
{{- if lt $usable 64 -}}{{- fail (printf "varnish.memoryLimitMi (%d) must exceed varnish.storage.overheadMi (%d) by at least 64" (int .Values.varnish.memoryLimitMi) (int .Values.varnish.storage.overheadMi)) -}}{{- end -}}
{{ $usable }}
{{- end }}
{{- define "maps-api.varnishMallocMi" -}}
{{ div (mul (include "maps-api.varnishUsableMi" . | int) .Values.varnish.storage.mallocPercent) 100 }}
{{- end }}
{{- define "maps-api.varnishTransientMi" -}}
{{ div (mul (include "maps-api.varnishUsableMi" . | int) .Values.varnish.storage.transientPercent) 100 }}
{{- end }}

{{/* The chart guards what the schema cannot express. */}}
{{- define "maps-api.guards" -}}
{{- if ne .Release.Namespace .Values.namespace -}}
{{- fail (printf "release namespace %q differs from values namespace %q (environments.json)" .Release.Namespace .Values.namespace) -}}
{{- end -}}
{{- if .Files.Get "files/vcl/site.vcl" -}}
{{- fail "files/vcl/site.vcl is reserved: the chart renders the site entry VCL itself" -}}
{{- end -}}
{{- if not (.Files.Get "files/vcl/policy.vcl") -}}
{{- fail "files/vcl/policy.vcl is missing (the VCL owner's policy file)" -}}
{{- end -}}
{{- if gt (add .Values.varnish.storage.mallocPercent .Values.varnish.storage.transientPercent) 95 -}}
{{- fail "varnish.storage.mallocPercent + transientPercent must leave at least 5% for per-object overhead" -}}
{{- end -}}
{{- end }}
