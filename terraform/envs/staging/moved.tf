# The modules used to be called from this root directly: move existing state instead of re-creating everything.
# Removable once every environment's state has been applied with modules/environment.
moved {
  from = module.network
  to   = module.environment.module.network
}

moved {
  from = module.gke
  to   = module.environment.module.gke
}

moved {
  from = module.replica
  to   = module.environment.module.replica
}

moved {
  from = module.api_identity
  to   = module.environment.module.api_identity
}

moved {
  from = module.github
  to   = module.environment.module.github
}
