#!/usr/bin/env bash
# Creates the state bucket and enables the APIs, then moves this root's own state into the bucket (prefix bootstrap).
# First run: the bucket does not exist, so state starts local (a temporary backend override) and is migrated after.
# Later runs: plain init against the bucket. Needs gcloud auth with Owner on the three projects.
set -euo pipefail
cd "$(dirname "$0")"
bucket=$(sed -n 's/^state_bucket *= *"\(.*\)"/\1/p' terraform.tfvars)
if gcloud storage buckets describe "gs://$bucket" >/dev/null 2>&1; then
  terraform init -input=false
  terraform apply -input=false
  exit 0
fi
trap 'rm -f backend_override.tf' EXIT
printf 'terraform {\n  backend "local" {}\n}\n' > backend_override.tf
terraform init -input=false -reconfigure
terraform apply -input=false
rm -f backend_override.tf
terraform init -input=false -migrate-state -force-copy
rm -f terraform.tfstate terraform.tfstate.backup
echo "state bucket gs://$bucket ready; bootstrap state now under prefix bootstrap/"
