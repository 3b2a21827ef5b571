# Sourced by install steps that build Kubernetes binaries from rehearsal/kube (63-cluster-kube, 64-kind):
# kube_version_ldflags prints the -ldflags `make` would set, stamping KUBERNETES_CLUSTER_VERSION (helm checks the chart's
# kubeVersion against the API server's gitVersion; kubectl reports it).
kube_version_ldflags() {
  local v=k8s.io/component-base/version minor=${KUBERNETES_CLUSTER_VERSION#v1.}
  echo "-s -w -X $v.gitVersion=$KUBERNETES_CLUSTER_VERSION -X $v.gitMajor=1 -X $v.gitMinor=${minor%%.*}" \
    "-X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
}
