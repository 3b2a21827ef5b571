# Sourced by images/docker.sh, images/bases/build.sh and tools/install.d/50-docker.sh: where no container registry is
# reachable, the upstream base images our Dockerfiles name are built locally under project-owned names
# (maps-api-offline/<upstream name>) and mapped into builds with BuildKit named contexts; nothing is tagged upstream.
# MAPS_API_OFFLINE=1 (or 0) forces the choice; otherwise the registries our Dockerfiles pull from are asked.

# The upstream base images our Dockerfiles name (each FROM that is not a stage); images/offline-bases.test.ts keeps this
# list, the Dockerfiles and compose.yaml's additional_contexts in step.
OFFLINE_BASES=(debian:trixie-slim node:22-bookworm-slim gcr.io/distroless/nodejs22-debian12:nonroot)
OFFLINE_PREFIX=maps-api-offline/
# BuildKit's Dockerfile frontend, built from the Go module proxy: Debian's dockerd 20.10 has a built-in one that
# predates named contexts. Selected with the BUILDKIT_SYNTAX build argument, which buildx turns into a gateway frontend.
OFFLINE_FRONTEND=${OFFLINE_PREFIX}dockerfile-frontend:${DOCKERFILE_FRONTEND_BUILDKIT_VERSION:?source tools/versions.env}

registry_reachable() {
  case ${MAPS_API_OFFLINE:-} in 1) return 1 ;; 0) return 0 ;; esac
  local url code
  for url in https://registry-1.docker.io/v2/ https://gcr.io/v2/; do
    # Any HTTP answer (401 without credentials) means reachable; 000 means no connection.
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$url" || true)
    [ "$code" != 000 ] || return 1
  done
}
