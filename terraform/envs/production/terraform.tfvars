# Facts shared with Helm, workflows and Dagger come from /environments.json (a test checks they agree).
environment       = "production"
project_id        = "maps-api-production"
region            = "us-central1"
cluster_name      = "maps-api-production"
namespace         = "maps-api"
github_repository = "example-org/maps-api"
state_bucket      = "maps-api-tfstate"

registry = {
  project    = "maps-api-production"
  location   = "us-central1"
  repository = "maps"
}

replica = {
  source   = "carto-demo-data.demo_tilesets.osm_buildings"
  dataset  = "maps_replica"
  location = "US"
}

network = {
  nodes_cidr         = "10.10.0.0/20"
  pods_cidr          = "10.20.0.0/14"
  services_cidr      = "10.24.0.0/20"
  control_plane_cidr = "172.16.0.0/28"
}

cluster = {
  release_channel     = "STABLE"
  deletion_protection = true
  machine_type        = "e2-standard-2"
  spot                = false
  min_nodes           = 3
  max_nodes           = 9
}
