output "registry_url" {
  description = "Docker URL: images are pushed as REGISTRY_URL/maps-api@sha256:..."
  value       = module.registry.url
}

output "registry_readers" {
  description = "IAM members that pull from the registry."
  value       = sort(concat(local.node_members, values(local.deployer_members)))
}

output "registry_writers" {
  description = "IAM members that push to the registry."
  value       = [local.publisher_member]
}
