# Production's bucket (the registry lives in production's project): applied and planned with production's accounts.
terraform {
  backend "gcs" {
    bucket = "maps-api-tfstate-production"
    prefix = "shared"
  }
}
