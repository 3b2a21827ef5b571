{{/* Egress to the cluster DNS (kube-dns pods in kube-system), UDP and TCP 53: every pod here resolves Service names. */}}
{{- define "maps-api.dnsEgress" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end }}
