variable "project_id" {
  description = "GCP project that owns the network."
  type        = string
}

variable "region" {
  description = "Region of the subnet, router and NAT (the cluster's region)."
  type        = string
}

variable "name" {
  description = "Name of the VPC; subnet, router and NAT are named after it."
  type        = string
}

variable "nodes_cidr" {
  description = "Primary range of the subnet (node IPs)."
  type        = string
  default     = "10.10.0.0/20"
}

variable "pods_cidr" {
  description = "Secondary range for pod IPs (VPC-native cluster)."
  type        = string
  default     = "10.20.0.0/14"
}

variable "services_cidr" {
  description = "Secondary range for ClusterIP Services."
  type        = string
  default     = "10.24.0.0/20"
}

variable "control_plane_cidr" {
  description = "Subnet of the control plane's Private Service Connect endpoint (not a peered /28: no VPC peering)."
  type        = string
  default     = "172.16.0.0/28"
}

variable "flow_log_sampling" {
  description = "Fraction of VPC flows logged (0-1): cost against visibility."
  type        = number
  default     = 0.5
}
