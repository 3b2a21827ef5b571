vcl 4.1;

# Health probe shared by every API backend (the site file sets `.probe = healthz;` on each).
# /healthz is liveness only (no BigQuery): a sick backend means the process is gone, not that BigQuery is slow.
# A backend turns sick after 3 failed probes in the last 5 (about 3 s) and healthy again after 3 good ones.
probe healthz {
    .url = "/healthz";
    .interval = 1s;
    .timeout = 1s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
    .expected_response = 200;
}
