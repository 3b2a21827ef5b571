# This environment's own bucket (terraform/bootstrap creates it in this environment's project).
terraform {
  backend "gcs" {
    bucket = "maps-api-tfstate-staging"
    prefix = "env/staging"
  }
}
