# This environment's values; everything the environments share is a default in modules/environment.
# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree).
environment  = "production"
project_id   = "maps-api-production"
cluster_name = "maps-api-production"
host         = "maps-api.example.com"

# modules/environment refuses production without deletion protection or with fewer nodes than zones. 4 nodes: the
# requests of values-production.yaml plus system pods, a rollout surge pod and one drained node (docs/infrastructure.md).
cluster = {
  release_channel     = "STABLE"
  deletion_protection = true
  spot                = false
  min_nodes           = 4
  max_nodes           = 9
}
