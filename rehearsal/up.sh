#!/usr/bin/env bash
# Starts the one-node rehearsal cluster (rehearsal/README.md) and the local registry; idempotent: a healthy cluster is
# left as it is, a half-started one is stopped (down.sh) and started again. Root, no systemd needed; cgroup v1, or v2
# with the controllers delegated first (cgroup.sh; where that cannot be done it stops within a second, naming why).
# Prints the kubeconfig path. Binaries: tools/install.sh (steps 62-cluster-runtime, 63-cluster-kube).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
no_options "Usage: rehearsal/up.sh
Starts the one-node rehearsal cluster and its local registry (idempotent); prints the kubeconfig path. No options (rehearsal/README.md).
  -h, --help   print this help" "$@"
# shellcheck source=cgroup.sh
source "$here/cgroup.sh"
cgroup_prepare "${CLUSTER_CGROUP_FS:-/sys/fs/cgroup}" "$CLUSTER_CGROUP" ||
  die "the one-node cluster cannot run on these cgroups (above)"
[ "$(id -u)" -eq 0 ] || die "run as root (kubelet, containerd and the pod network need it)"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns pause; do
  [ -x "$CLUSTER_BIN/$b" ] || die "$CLUSTER_BIN/$b missing: run tools/install.sh cluster-runtime cluster-kube"
done
for b in containerd containerd-shim-runc-v2 runc docker-registry iptables conntrack; do
  command -v "$b" >/dev/null || die "$b missing: run tools/install.sh cluster-runtime"
done

pids=$CLUSTER_RUN/pids
logs=$CLUSTER_RUN/logs
components=(etcd kube-apiserver registry containerd kube-controller-manager kube-scheduler kubelet kube-proxy coredns)

running() { [ -f "$pids/$1" ] && kill -0 "$(cat "$pids/$1")" 2>/dev/null; }
healthy() {
  for c in "${components[@]}"; do running "$c" || return 1; done
  kubectl get --raw /readyz >/dev/null 2>&1 || return 1
  [ "$(kubectl get node "$CLUSTER_NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
if [ -f "$CLUSTER_KUBECONFIG" ] && healthy; then
  log "already up: KUBECONFIG=$CLUSTER_KUBECONFIG"
  exit 0
fi
if [ -d "$CLUSTER_RUN" ]; then
  log "a previous cluster is partly up: stopping it first"
  "$here/down.sh"
fi

started=$(date +%s)
mkdir -p "$pids" "$logs" "$CLUSTER_RUN/pki" "$CLUSTER_CACHE"
start() { # <name> <command...>: detached, logging to $logs/<name>.log
  local name=$1
  shift
  setsid "$@" >"$logs/$name.log" 2>&1 </dev/null &
  echo $! >"$pids/$name"
}
wait_for() { # <what> <seconds> <command...>
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq "$((seconds * 2))"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  # down.sh removes the logs: show what the components said before giving up.
  for name in kubelet containerd kube-apiserver; do
    echo "--- last lines of $name.log" >&2
    tail -n 15 "$logs/$name.log" >&2 2>/dev/null || true
  done
  kubectl get node "$CLUSTER_NODE" -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.message}{"\n"}{end}' >&2 2>/dev/null || true
  die "$what not ready after ${seconds}s (logs: $logs)"
}

# --- certificates: one CA; the API server's serving cert; one admin client cert (system:masters) that every
# component uses, as kind's single-node setups do in spirit: this cluster exists for one run on one machine.
pki=$CLUSTER_RUN/pki
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=maps-rehearsal-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt"
cert() { # <name> <subject> [subjectAltName]
  openssl_quiet req -newkey rsa:2048 -nodes -subj "$2" -keyout "$pki/$1.key" -out "$pki/$1.csr"
  local ext=$pki/$1.ext
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
  [ -z "${3:-}" ] || echo "subjectAltName=$3" >>"$ext"
  openssl_quiet x509 -req -in "$pki/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$pki/$1.crt"
}
cert apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$CLUSTER_NODE_IP,IP:$CLUSTER_API_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=maps-rehearsal-admin"
openssl_quiet genrsa -out "$pki/sa.key" 2048
openssl_quiet rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
kubectl config set-cluster rehearsal --server "https://127.0.0.1:$CLUSTER_API_PORT" \
  --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
kubectl config set-credentials admin --client-certificate "$pki/admin.crt" --client-key "$pki/admin.key" \
  --embed-certs >/dev/null
kubectl config set-context rehearsal --cluster rehearsal --user admin >/dev/null
kubectl config use-context rehearsal >/dev/null

# --- host network: our own bridge (its address is the node's), forwarding and bridged traffic through iptables
# (kube-proxy's Service rules). The previous values are restored by down.sh.
for key in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; do
  echo "$key=$(sysctl -n "$key")" >>"$CLUSTER_RUN/sysctl.restore"
  sysctl -qw "$key=1"
done
ip link add "$CLUSTER_BRIDGE" type bridge
ip addr add "$CLUSTER_NODE_IP/${CLUSTER_POD_CIDR#*/}" dev "$CLUSTER_BRIDGE"
ip link set "$CLUSTER_BRIDGE" up
# Bridged pod traffic crosses the FORWARD chain (br_netfilter), whose policy Docker sets to DROP: accept our bridge's.
for direction in -i -o; do
  iptables -I FORWARD 1 "$direction" "$CLUSTER_BRIDGE" -m comment --comment "$CLUSTER_TAG" -j ACCEPT
done

# --- cgroups: the parent of every pod cgroup (kubelet cgroupRoot); on v2 cgroup_prepare made it, on v1 in every hierarchy.
for h in /sys/fs/cgroup/*/; do
  [ -f "$h/cgroup.procs" ] && ! grep -q cgroup2 <<<"$(stat -f -c %T "$h")" && mkdir -p "$h$CLUSTER_CGROUP"
done
# A new v1 cpuset starts with no CPUs and no memory nodes: give it its parent's, or nothing can join it.
if [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]; then
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$CLUSTER_CGROUP/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$CLUSTER_CGROUP/cpuset.mems"
fi

# --- control plane
log "starting etcd and kube-apiserver"
start etcd etcd --name rehearsal --data-dir "$CLUSTER_RUN/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$CLUSTER_ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$CLUSTER_ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" \
  --initial-cluster "rehearsal=http://127.0.0.1:$CLUSTER_ETCD_PEER_PORT" --listen-metrics-urls ""
start kube-apiserver kube-apiserver \
  --etcd-servers "http://127.0.0.1:$CLUSTER_ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address "$CLUSTER_NODE_IP" --secure-port "$CLUSTER_API_PORT" \
  --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" --allow-privileged=true \
  --authorization-mode Node,RBAC --client-ca-file "$pki/ca.crt" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --feature-gates MutatingAdmissionPolicy=true --runtime-config admissionregistration.k8s.io/v1beta1=true \
  --profiling=false
wait_for kube-apiserver 120 kubectl get --raw /readyz

log "starting the registry on $CLUSTER_REGISTRY and containerd"
mkdir -p "$CLUSTER_CACHE/registry"
cat >"$CLUSTER_RUN/registry.yml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $CLUSTER_CACHE/registry}
  delete: {enabled: true}
http: {addr: $CLUSTER_REGISTRY}
EOF
start registry docker-registry serve "$CLUSTER_RUN/registry.yml"

# containerd on its own socket, root and state, apart from Docker's. restrict_oom_score_adj: this sandbox refuses
# negative oom_score_adj (without it every pod sandbox fails in runc). Pod network namespaces under our state dir.
mkdir -p "$CLUSTER_RUN/containerd" "$CLUSTER_RUN/cni/net.d" "$CLUSTER_RUN/certs.d/$CLUSTER_REGISTRY"
cat >"$CLUSTER_RUN/certs.d/$CLUSTER_REGISTRY/hosts.toml" <<EOF
server = "http://$CLUSTER_REGISTRY"
[host."http://$CLUSTER_REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
cat >"$CLUSTER_RUN/cni/net.d/10-rehearsal.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CLUSTER_TAG",
  "plugins": [
    {
      "type": "bridge", "bridge": "$CLUSTER_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$CLUSTER_RUN/cni/ipam",
        "ranges": [[{"subnet": "$CLUSTER_POD_CIDR", "gateway": "$CLUSTER_NODE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
EOF
cat >"$CLUSTER_RUN/containerd/config.toml" <<EOF
version = 2
root = "$CLUSTER_CACHE/containerd"
state = "$CLUSTER_RUN/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CLUSTER_SOCKET"
[ttrpc]
  address = "$CLUSTER_SOCKET.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$CLUSTER_PAUSE_IMAGE"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_RUN/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CLUSTER_RUN/certs.d"
EOF
start containerd containerd --config "$CLUSTER_RUN/containerd/config.toml"
ctr() { command ctr --address "$CLUSTER_SOCKET" --namespace k8s.io "$@"; }
wait_for containerd 30 ctr version
# `ctr version` answers before the CRI plugin has recovered its state, and a kubelet started then exits at once
# ("server is not initialized yet"; seen on a busy machine). containerd 1.6 logs this line just before serving CRI.
wait_for "containerd's CRI" 60 grep -q 'msg="Start streaming server"' "$logs/containerd.log"
wait_for registry 30 curl -fsS "http://$CLUSTER_REGISTRY/v2/"

# The pod sandbox image: one static binary, packed as an OCI image layout and imported (no registry, no Docker).
if ! ctr images ls -q | grep -x "$CLUSTER_PAUSE_IMAGE" >/dev/null; then
  oci=$CLUSTER_RUN/pause-oci
  mkdir -p "$oci/rootfs" "$oci/image/blobs/sha256"
  install -m 0755 "$CLUSTER_BIN/pause" "$oci/rootfs/pause"
  blob() { # stdin -> blob; prints "<digest> <size>"
    local tmp=$oci/blob.tmp digest
    cat >"$tmp"
    digest=$(sha256sum "$tmp" | cut -d' ' -f1)
    mv "$tmp" "$oci/image/blobs/sha256/$digest"
    echo "$digest $(stat -c %s "$oci/image/blobs/sha256/$digest")"
  }
  read -r layer layer_size < <(tar -C "$oci/rootfs" --owner 0 --group 0 --numeric-owner --mtime @0 -c pause | blob)
  read -r config config_size < <(printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$layer" | blob)
  read -r manifest manifest_size < <(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$config" "$config_size" "$layer" "$layer_size" | blob)
  printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/image/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"1"}}]}' \
    "$manifest" "$manifest_size" "$CLUSTER_PAUSE_IMAGE" >"$oci/image/index.json"
  tar -C "$oci/image" -c . | ctr images import --no-unpack=false - >/dev/null
  ctr images ls -q | grep -x "$CLUSTER_PAUSE_IMAGE" >/dev/null || die "pause image import failed"
  rm -rf "$oci"
fi

log "starting kube-controller-manager, kube-scheduler, kubelet, kube-proxy and CoreDNS"
start kube-controller-manager kube-controller-manager --kubeconfig "$CLUSTER_KUBECONFIG" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --root-ca-file "$pki/ca.crt" --service-account-private-key-file "$pki/sa.key" \
  --service-cluster-ip-range "$CLUSTER_SERVICE_CIDR" --controllers '*,-nodeipam,-cloud-node-lifecycle' \
  --profiling=false
start kube-scheduler kube-scheduler --kubeconfig "$CLUSTER_KUBECONFIG" --bind-address 127.0.0.1 \
  --leader-elect=false --profiling=false

mkdir -p "$CLUSTER_RUN/kubelet" "$CLUSTER_RUN/pod-logs"
: >"$CLUSTER_RUN/resolv.conf"
# Disk thresholds near zero and image GC off: the node shares a disk with everything else on this machine, and a
# rehearsal must not evict its pods or delete its images because someone else filled the disk.
cat >"$CLUSTER_RUN/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $CLUSTER_NODE_IP
port: $CLUSTER_KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$CLUSTER_SOCKET
cgroupDriver: cgroupfs
cgroupRoot: /$CLUSTER_CGROUP
failSwapOn: false
clusterDNS: [$CLUSTER_NODE_IP]
clusterDomain: cluster.local
resolvConf: $CLUSTER_RUN/resolv.conf
podLogsDir: $CLUSTER_RUN/pod-logs
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
EOF
start kubelet kubelet --config "$CLUSTER_RUN/kubelet.yaml" --kubeconfig "$CLUSTER_KUBECONFIG" \
  --root-dir "$CLUSTER_RUN/kubelet" --hostname-override "$CLUSTER_NODE" --node-ip "$CLUSTER_NODE_IP"

# kube-proxy leaves the host's conntrack sysctls alone (maxPerCore 0) and serves no NodePort on loopback (no
# route_localnet): tests reach Services through port-forwards bound to 127.0.0.1.
cat >"$CLUSTER_RUN/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $CLUSTER_KUBECONFIG}
mode: iptables
hostnameOverride: $CLUSTER_NODE
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clusterCIDR: $CLUSTER_POD_CIDR
nodePortAddresses: [$CLUSTER_NODE_IP/32]
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
EOF
start kube-proxy kube-proxy --config "$CLUSTER_RUN/kube-proxy.yaml"

# CoreDNS on the node address (the pods' clusterDNS), watching the API with the admin kubeconfig. No upstream: this
# machine has no internet and the pods need only cluster names.
cat >"$CLUSTER_RUN/Corefile" <<EOF
.:53 {
  bind $CLUSTER_NODE_IP
  ready 127.0.0.1:18181
  errors
  cache 5
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $CLUSTER_KUBECONFIG rehearsal
    pods insecure
  }
}
EOF
start coredns coredns -conf "$CLUSTER_RUN/Corefile"

wait_for "node $CLUSTER_NODE" 120 bash -c \
  "[ \"\$(kubectl get node $CLUSTER_NODE -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]"
wait_for coredns 60 curl -fsS http://127.0.0.1:18181/ready
kubectl apply -f "$here/manifests/" >/dev/null
wait_for "default service account" 60 kubectl get serviceaccount default -n default
log "up in $(($(date +%s) - started))s: KUBECONFIG=$CLUSTER_KUBECONFIG, registry $CLUSTER_REGISTRY"
