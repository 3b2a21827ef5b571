output "address_name" {
  description = "Global static IP name: Ingress annotation kubernetes.io/ingress.global-static-ip-name."
  value       = google_compute_global_address.ingress.name
}

output "ip_address" {
  description = "The Ingress IP: host's A record points here."
  value       = google_compute_global_address.ingress.address
}

output "certificate_name" {
  description = "Google-managed certificate: Ingress annotation ingress.gcp.kubernetes.io/pre-shared-cert."
  value       = google_compute_managed_ssl_certificate.ingress.name
}

output "certificate_domains" {
  description = "Names the certificate covers."
  value       = google_compute_managed_ssl_certificate.ingress.managed[0].domains
}

output "dns_record" {
  description = "The A record created here (null when the domain's owner creates it)."
  value       = var.dns_managed_zone == null ? null : { name = google_dns_record_set.ingress[0].name, type = google_dns_record_set.ingress[0].type }
}

output "ingress_annotations" {
  description = "The annotations the chart's Ingress needs in this environment (values-<env>.yaml ingress.annotations; known at plan, a test renders the chart against them)."
  value = {
    "kubernetes.io/ingress.global-static-ip-name" = var.address_name
    "ingress.gcp.kubernetes.io/pre-shared-cert"   = local.certificate_name
  }
}
