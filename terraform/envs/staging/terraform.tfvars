# This environment's values; everything the environments share is a default in modules/environment.
# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree).
environment  = "staging"
project_id   = "maps-api-staging"
cluster_name = "maps-api-staging"
host         = "maps-api.staging.example.com"

cluster = {
  release_channel     = "STABLE"
  deletion_protection = false
  spot                = false
  min_nodes           = 3
  max_nodes           = 6
}
