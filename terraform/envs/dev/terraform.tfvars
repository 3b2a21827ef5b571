# This environment's values; everything the environments share is a default in modules/environment.
# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree).
environment  = "dev"
project_id   = "maps-api-dev"
cluster_name = "maps-api-dev"
host         = "maps-api.dev.example.com"

cluster = {
  release_channel     = "REGULAR"
  deletion_protection = false
  spot                = true
  min_nodes           = 2
  max_nodes           = 4
}
