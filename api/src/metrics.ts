import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type QueryKind = 'tile' | 'table' | 'metadata' | 'readiness';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queryDuration: new Histogram({
      name: 'bigquery_query_duration_seconds',
      help: 'BigQuery call duration by kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers: [registry],
    }),
    bytesProcessed: new Counter({
      name: 'bigquery_bytes_processed_total',
      help: 'Bytes BigQuery reported as processed by our queries',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    bytesBilled: new Counter({
      name: 'bigquery_bytes_billed_total',
      help: 'Bytes BigQuery billed for our queries (on-demand: at least 10 MiB per table a query references)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    partitionSchemeUnusable: new Gauge({
      name: 'tileset_partition_scheme_unusable',
      help:
        "1 while a CARTO tileset's partition scheme is missing, not understood or contradicted by its stored rows " +
        '(tiles then queried unpruned), 0 once read; per table version planned by this pod',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    bigqueryUp: new Gauge({
      name: 'bigquery_up',
      help: "1 when this pod's last BigQuery probe (a metadata read of a served table's dataset) answered, else 0",
      registers: [registry],
    }),
    shed: new Counter({
      name: 'bigquery_calls_shed_total',
      help: 'BigQuery calls refused with 503 + Retry-After because MAX_CONCURRENT_BIGQUERY_CALLS were in flight',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    tilesOutside: new Counter({
      name: 'tiles_outside_tileset_total',
      help: "Tiles answered 204 without a query: outside the tileset's zooms or area (its metadata)",
      registers: [registry],
    }),
    queryErrors: new Counter({
      name: 'bigquery_errors_total',
      help: 'Failed BigQuery calls by kind and the error code we answered with',
      labelNames: ['kind', 'code'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
