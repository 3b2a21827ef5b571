terraform {
  backend "gcs" {
    bucket = "maps-api-tfstate"
    prefix = "shared"
  }
}
