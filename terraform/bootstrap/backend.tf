# bootstrap.sh applies with local state first (the bucket does not exist yet), then migrates it here.
terraform {
  backend "gcs" {
    bucket = "maps-api-tfstate"
    prefix = "bootstrap"
  }
}
