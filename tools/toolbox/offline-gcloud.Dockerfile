# Offline stand-in for the pinned google-cloud-cli image (ci/src/images.ts), built by tools/toolbox/build.sh only where
# no registry is reachable (images/README.md: stand-ins under maps-api-offline/, never upstream names). Build context:
# this machine's Google Cloud SDK root (its version, not the pinned one, is what the tag says). Only what the toolbox
# copies, laid out as in the upstream slim image (Debian's google-cloud-cli package): the core CLI with its bundled
# Python, gsutil and bq; not this machine's extra components (emulators, kubectl, App Engine).
FROM scratch
COPY VERSION properties /usr/lib/google-cloud-sdk/
COPY lib /usr/lib/google-cloud-sdk/lib
COPY data /usr/lib/google-cloud-sdk/data
COPY bin/gcloud bin/gsutil bin/bq bin/docker-credential-gcloud bin/git-credential-gcloud.sh bin/gcloud-crc32c \
     /usr/lib/google-cloud-sdk/bin/
COPY bin/bootstrapping /usr/lib/google-cloud-sdk/bin/bootstrapping
COPY platform/bundledpythonunix /usr/lib/google-cloud-sdk/platform/bundledpythonunix
COPY platform/gsutil /usr/lib/google-cloud-sdk/platform/gsutil
COPY platform/bq /usr/lib/google-cloud-sdk/platform/bq
