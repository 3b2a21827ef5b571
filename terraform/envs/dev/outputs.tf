# What the pipeline (Dagger, GitHub workflows) and people read after apply; descriptions in modules/environment/outputs.tf.
output "environment" { value = module.environment.environment }
output "project_id" { value = module.environment.project_id }
output "cluster_name" { value = module.environment.cluster_name }
output "cluster_location" { value = module.environment.cluster_location }
output "cluster_dns_endpoint" { value = module.environment.cluster_dns_endpoint }
output "kubeconfig_server" { value = module.environment.kubeconfig_server }
output "registry_url" { value = module.environment.registry_url }
output "api_service_account_email" { value = module.environment.api_service_account_email }
output "node_service_account_email" { value = module.environment.node_service_account_email }
output "ci_service_accounts" { value = module.environment.ci_service_accounts }
output "replica_dataset" { value = module.environment.replica_dataset }
output "replica_location" { value = module.environment.replica_location }
output "ingress" { value = module.environment.ingress }
