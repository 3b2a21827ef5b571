# This environment's values; everything the environments share is a default in modules/environment.
# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree).
environment  = "production"
project_id   = "maps-api-production"
cluster_name = "maps-api-production"

# modules/environment refuses production without deletion protection or with fewer nodes than zones.
cluster = {
  release_channel     = "STABLE"
  deletion_protection = true
  spot                = false
  min_nodes           = 3
  max_nodes           = 9
}
