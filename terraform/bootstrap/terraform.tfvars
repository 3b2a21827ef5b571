# environments.json gcpProject of each environment (a test checks they agree). `github` is not here: bootstrap.sh reads
# the repository's name and immutable ids from GitHub (TF_VAR_github) so no placeholder can be trusted by mistake.
environment_projects = {
  dev        = "maps-api-dev"
  staging    = "maps-api-staging"
  production = "maps-api-production"
}
state_project  = "maps-api-production"
state_bucket   = "maps-api-tfstate"
state_location = "US"
