# What the chart's GKE Ingress expects to exist before the first deploy: a global static IP (so DNS never changes when
# the Ingress is re-created), a Google-managed certificate for the host, and, where the zone is ours, the DNS record.
locals {
  certificate_name = "maps-api-${var.environment}"
}

resource "google_compute_global_address" "ingress" {
  project     = var.project_id
  name        = var.address_name
  description = "maps-api ${var.environment} Ingress (external Application Load Balancer)"
  ip_version  = "IPV4"
}

# Provisioned by Google once host resolves to the address above (minutes to an hour after DNS points at it).
resource "google_compute_managed_ssl_certificate" "ingress" {
  project = var.project_id
  name    = local.certificate_name

  managed {
    domains = ["${var.host}."]
  }
}

resource "google_dns_record_set" "ingress" {
  count        = var.dns_managed_zone == null ? 0 : 1
  project      = var.project_id
  managed_zone = var.dns_managed_zone
  name         = "${var.host}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.ingress.address]
}
