mock_provider "google" {
  override_during = plan
}

variables {
  project_id   = "p-test"
  dataset_id   = "maps_replica"
  location     = "US"
  source_table = "carto-demo-data.demo_tilesets.osm_buildings"
  readers      = ["serviceAccount:maps-api@p-test.iam.gserviceaccount.com"]
}

run "dataset_location_comes_from_the_variable" {
  command = plan

  assert {
    condition     = google_bigquery_dataset.replica.location == "US"
    error_message = "location must be the variable's (the source table's location)"
  }
}

run "another_location_follows_the_variable_too" {
  command = plan

  variables {
    location = "europe-west1"
  }

  assert {
    condition     = google_bigquery_dataset.replica.location == "europe-west1"
    error_message = "location is not hard-coded"
  }
}

run "tables_never_expire_by_default" {
  command = plan

  assert {
    condition     = google_bigquery_dataset.replica.default_table_expiration_ms == null
    error_message = "no expiry unless asked for"
  }
  assert {
    condition     = !google_bigquery_dataset.replica.delete_contents_on_destroy
    error_message = "destroying the dataset must not silently drop tables"
  }
}

run "versioned_copies_can_expire" {
  command = plan

  variables {
    table_expiration_days = 7
  }

  assert {
    condition     = google_bigquery_dataset.replica.default_table_expiration_ms == 604800000
    error_message = "7 days in milliseconds"
  }
}

run "readers_get_view_access_on_this_dataset" {
  command = plan

  assert {
    condition     = google_bigquery_dataset_iam_member.readers["serviceAccount:maps-api@p-test.iam.gserviceaccount.com"].role == "roles/bigquery.dataViewer"
    error_message = "readers are data viewers of the dataset"
  }
}

run "writers_get_edit_access_on_this_dataset_only" {
  command = plan

  variables {
    writers = { replica = "serviceAccount:maps-replica@p-test.iam.gserviceaccount.com" }
  }

  assert {
    condition = output.writer_grants == {
      replica = {
        dataset_id = "maps_replica"
        role       = "roles/bigquery.dataEditor"
        member     = "serviceAccount:maps-replica@p-test.iam.gserviceaccount.com"
      }
    }
    error_message = "the writer is a data editor of this dataset (dataset-level IAM), nothing more"
  }
  assert {
    condition     = google_bigquery_dataset_iam_member.writers["replica"].project == "p-test"
    error_message = "the grant is on the dataset in this project"
  }
}

run "rejects_zero_day_expiry" {
  command = plan

  variables {
    table_expiration_days = 0
  }

  expect_failures = [var.table_expiration_days]
}

run "terraform_refuses_to_delete_the_dataset_by_default" {
  command = plan

  assert {
    condition     = google_bigquery_dataset.replica.deletion_policy == "PREVENT" && !google_bigquery_dataset.replica.delete_contents_on_destroy
    error_message = "PREVENT unless a disposable environment asks for DELETE; never with its contents"
  }
}
