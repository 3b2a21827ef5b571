projects       = ["maps-api-dev", "maps-api-staging", "maps-api-production"]
state_project  = "maps-api-production"
state_bucket   = "maps-api-tfstate"
state_location = "US"
