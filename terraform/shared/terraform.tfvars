# environments.json `registry` and each environment's gcpProject (a test checks they agree).
registry = {
  project    = "maps-api-production"
  location   = "us-central1"
  repository = "maps"
}

environment_projects = {
  dev        = "maps-api-dev"
  staging    = "maps-api-staging"
  production = "maps-api-production"
}
