mock_provider "google" {
  override_during = plan

  mock_resource "google_compute_global_address" {
    defaults = {
      address = "203.0.113.10"
    }
  }
}

variables {
  project_id  = "p-test"
  environment = "staging"
  host        = "maps-api.staging.example.com"
}

run "the_ingress_gets_a_static_ip_and_a_managed_certificate_for_its_host" {
  command = plan

  assert {
    condition     = output.ingress_annotations == { "kubernetes.io/ingress.global-static-ip-name" = "maps-api-ingress", "ingress.gcp.kubernetes.io/pre-shared-cert" = "maps-api-staging" }
    error_message = "the names the chart's Ingress annotations refer to"
  }
  assert {
    condition     = output.certificate_domains == tolist(["maps-api.staging.example.com."])
    error_message = "the certificate covers the host the smoke test calls"
  }
  assert {
    condition     = output.dns_record == null && length(google_dns_record_set.ingress) == 0
    error_message = "without a zone of ours, no record (the domain's owner points host at ip_address)"
  }
}

run "with_a_zone_the_host_points_at_the_static_ip" {
  command = plan

  variables {
    dns_managed_zone = "example-com"
  }

  assert {
    condition     = google_dns_record_set.ingress[0].name == "maps-api.staging.example.com." && google_dns_record_set.ingress[0].type == "A" && google_dns_record_set.ingress[0].rrdatas == tolist(["203.0.113.10"])
    error_message = "A record host -> the global static IP"
  }
}

run "refuses_a_host_that_is_not_a_dns_name" {
  command = plan

  variables {
    host = "https://maps-api.example.com/"
  }

  expect_failures = [var.host]
}
