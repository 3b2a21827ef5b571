# Shared settings of the rehearsal's cluster providers (sourced): the one-node cluster built from source (rehearsal/up.sh,
# rehearsal/down.sh) and kind (rehearsal/kind/up.sh, down.sh). Every path, port and address of the rehearsal clusters is
# here (rehearsal/lib/kube.ts reads the same, tested); environment variables of the same name override them.
MAPS_TOOLS_DIR=${MAPS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/maps-api}
CLUSTER_BIN=$MAPS_TOOLS_DIR/cluster/bin
# Kept between runs (caches): containerd's image store and the registry's blobs.
CLUSTER_CACHE=$MAPS_TOOLS_DIR/cluster/cache
# Removed by down.sh: certificates, etcd, kubelet and containerd state, logs, pid files.
CLUSTER_RUN=${CLUSTER_RUN:-$MAPS_TOOLS_DIR/cluster/run}
CLUSTER_KUBECONFIG=${CLUSTER_KUBECONFIG:-$MAPS_TOOLS_DIR/cluster/kubeconfig}
CLUSTER_NODE=rehearsal
# The pod network: a bridge of our own; its address is the node address, the DNS server and the pods' gateway.
CLUSTER_BRIDGE=${CLUSTER_BRIDGE:-mapsbr0}
CLUSTER_POD_CIDR=${CLUSTER_POD_CIDR:-10.244.0.0/24}
CLUSTER_NODE_IP=${CLUSTER_NODE_IP:-10.244.0.1}
CLUSTER_SERVICE_CIDR=${CLUSTER_SERVICE_CIDR:-10.96.0.0/16}
CLUSTER_API_SERVICE_IP=${CLUSTER_API_SERVICE_IP:-10.96.0.1}
# Loopback ports, away from the usual ones so a kind cluster or a dev stack can run beside it.
CLUSTER_API_PORT=${CLUSTER_API_PORT:-16443}
CLUSTER_ETCD_PORT=${CLUSTER_ETCD_PORT:-12379}
CLUSTER_ETCD_PEER_PORT=${CLUSTER_ETCD_PEER_PORT:-12380}
CLUSTER_REGISTRY_PORT=${CLUSTER_REGISTRY_PORT:-15000}
CLUSTER_KUBELET_PORT=${CLUSTER_KUBELET_PORT:-10250}
CLUSTER_REGISTRY=127.0.0.1:$CLUSTER_REGISTRY_PORT
# Pods' cgroups live under this parent, in every cgroup v1 hierarchy: down.sh empties and removes exactly this tree.
CLUSTER_CGROUP=maps-rehearsal
CLUSTER_SOCKET=$CLUSTER_RUN/containerd/containerd.sock
CLUSTER_PAUSE_IMAGE=maps-rehearsal.local/pause:1
# The bridge and iptables rules made here carry this comment, so down.sh removes only its own.
CLUSTER_TAG=maps-rehearsal
# The kind provider (rehearsal/kind/cluster.yaml), after kind's local-registry guide: a registry container published on
# loopback where Docker pushes, reached by the node under its container name on kind's network.
KIND_CLUSTER=maps-rehearsal
KIND_KUBECONFIG=${KIND_KUBECONFIG:-$MAPS_TOOLS_DIR/cluster/kind-kubeconfig}
KIND_REGISTRY_NAME=maps-rehearsal-registry
KIND_REGISTRY_PORT=${KIND_REGISTRY_PORT:-5001}
KIND_REGISTRY=localhost:$KIND_REGISTRY_PORT
# The CNCF distribution registry 3.0.0, by the digest public projects pin for it (not pulled here: no registry is reachable).
KIND_REGISTRY_IMAGE=registry:3.0.0@sha256:6c5666b861f3505b116bb9aa9b25175e71210414bd010d92035ff64018f9457e
PATH=$CLUSTER_BIN:$MAPS_TOOLS_DIR/bin:$PATH
export PATH KUBECONFIG=$CLUSTER_KUBECONFIG

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() {
  log "error: $*" >&2
  exit 1
}

# The CLI conventions of every command of the repo (tools/cli.ts): -h/--help prints the usage and exits 0; any
# argument the script does not take prints the usage on stderr and exits 2. Called before anything starts.
no_options() { # <usage> "$@"
  local usage=$1
  shift
  case "${1:-}" in
    "") ;;
    -h | --help) echo "$usage"; exit 0 ;;
    *) printf 'unknown argument: %s\n%s\n' "$1" "$usage" >&2; exit 2 ;;
  esac
}
