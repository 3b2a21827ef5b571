terraform {
  backend "gcs" {
    bucket = "maps-api-tfstate"
    prefix = "env/production"
  }
}
