#!/usr/bin/env bash
# Run by a person with Owner on the three projects (billing linked), before any other root and whenever CI identities
# change: enables the APIs, creates the state buckets, every CI identity and the node accounts, then keeps this root's
# state in gs://<state_bucket>/bootstrap. First run: the bucket does not exist, so state starts local and is migrated
# after. Then, the first time only, the registry (terraform/shared), so the first publish has somewhere to push.
# Needs: gcloud (user login AND application-default login), gh (logged in), GITHUB_REPOSITORY=OWNER/NAME.
set -euo pipefail
cd "$(dirname "$0")"

fail() {
  echo "bootstrap: $*" >&2
  exit 1
}

for tool in gcloud gh terraform; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH (devbox shell has all three)"
done
repository=${GITHUB_REPOSITORY:-}
[[ $repository =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
  fail "set GITHUB_REPOSITORY=OWNER/NAME (the repository whose workflows deploy), got '$repository'"

# The projects are whatever terraform.tfvars names (environments.json's gcpProject; a test keeps them equal): any id
# Google accepts, each checked here before anything is changed.
setting() { sed -n "s/^$1 *= *\"\(.*\)\"\$/\1/p" terraform.tfvars; }
bucket=$(setting state_bucket)
state_project=$(setting state_project)
projects=$(awk '/^environment_projects *= *\{/ { inside = 1; next } inside && /^\}/ { inside = 0 }
  inside { if (match($0, /"[^"]*"/)) print substr($0, RSTART + 1, RLENGTH - 2) }' terraform.tfvars | sort -u)
[ -n "$bucket" ] || fail "terraform.tfvars has no state_bucket"
[ "$(echo "$projects" | grep -c .)" -eq 3 ] ||
  fail "terraform.tfvars environment_projects must name three projects (dev, staging, production), found: $projects"
for project in $projects $state_project; do
  # Google's rule for project ids: 6-30 characters, lower-case letters, digits and hyphens, a letter first.
  [[ $project =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] || fail "'$project' (terraform.tfvars) is not a valid project id"
done

# Any gcloud failure other than "bucket not found" stops here: never mistake "not logged in" for "no bucket yet".
gcloud auth print-access-token >/dev/null 2>&1 || fail "gcloud is not logged in: run gcloud auth login"
gcloud auth application-default print-access-token >/dev/null 2>&1 ||
  fail "no application-default credentials: run gcloud auth application-default login"
gcloud auth application-default set-quota-project "$state_project" >/dev/null 2>&1 ||
  fail "cannot set the ADC quota project $state_project (billing linked? serviceusage.services.use?)"

# The IDs GitHub puts in every token (repository_id, repository_owner_id) never change, unlike names.
ids=$(gh api "repos/$repository" --jq '"\(.id) \(.owner.id)"') || fail "gh api repos/$repository failed (gh auth login?)"
read -r repository_id owner_id <<<"$ids"
export TF_VAR_github="{repository=\"$repository\", repository_id=\"$repository_id\", repository_owner_id=\"$owner_id\"}"

# Each project must exist and be readable by this account before anything is created in any of them.
for project in $projects $state_project; do
  found=$(gcloud projects describe "$project" --format='value(lifecycleState)' 2>&1) ||
    fail "cannot use project $project: $found"
  [ "$found" = ACTIVE ] || fail "project $project is $found, not ACTIVE"
done

# Terraform itself needs these two to enable the rest (a fresh project has neither).
for project in $projects; do
  gcloud services enable serviceusage.googleapis.com cloudresourcemanager.googleapis.com --project "$project" ||
    fail "cannot enable APIs in $project (billing account linked? Owner?)"
done

if describe=$(gcloud storage buckets describe "gs://$bucket" --format='value(name)' 2>&1); then
  terraform init -input=false
  terraform apply -input=false
else
  case "$describe" in
    *404* | *"not found"* | *"does not exist"*) ;;
    *) fail "cannot tell whether gs://$bucket exists: $describe" ;;
  esac
  trap 'rm -f backend_override.tf' EXIT
  printf 'terraform {\n  backend "local" {}\n}\n' >backend_override.tf
  terraform init -input=false -reconfigure
  terraform apply -input=false
  rm -f backend_override.tf
  terraform init -input=false -migrate-state -force-copy
  rm -f terraform.tfstate terraform.tfstate.backup
  echo "state bucket gs://$bucket ready; bootstrap state now under prefix bootstrap/"
fi

# The registry (terraform/shared), once: every account it grants now exists, and the first publish needs it. Its state
# lives in production's bucket (made above); after this first apply, CI applies its changes (infra.yml apply-shared).
terraform -chdir=../shared init -input=false
if [ -n "$(terraform -chdir=../shared state list)" ]; then
  echo "terraform/shared already has state: its changes go through CI (infra.yml apply-shared on a v* tag)"
else
  terraform -chdir=../shared apply -input=false
  echo "registry created (terraform/shared)"
fi
echo "next: terraform output -json github_environment_variables (set them in GitHub, docs/infrastructure.md)"
