# What the pipeline (Dagger, GitHub workflows) reads after apply; descriptions in modules/environment/outputs.tf.
output "environment" { value = module.environment.environment }
output "project_id" { value = module.environment.project_id }
output "cluster_name" { value = module.environment.cluster_name }
output "cluster_location" { value = module.environment.cluster_location }
output "cluster_dns_endpoint" { value = module.environment.cluster_dns_endpoint }
output "registry_url" { value = module.environment.registry_url }
output "api_service_account_email" { value = module.environment.api_service_account_email }
output "deployer_service_account_email" { value = module.environment.deployer_service_account_email }
output "replica_service_account_email" { value = module.environment.replica_service_account_email }
output "workload_identity_provider" { value = module.environment.workload_identity_provider }
output "node_service_account_email" { value = module.environment.node_service_account_email }
output "replica_dataset" { value = module.environment.replica_dataset }
output "replica_location" { value = module.environment.replica_location }
