# Descriptions, types, defaults and validation (production's guard rails included): modules/environment/variables.tf.
variable "environment" { type = string }
variable "project_id" { type = string }
variable "cluster_name" { type = string }
variable "cluster" { type = any }
variable "host" { type = string }
variable "edge" { type = any }
