// Settings from the environment: one JSON schema (validation, defaults, and through FromSchema the types), then the
// names and shapes the code uses.
import { envSchema } from 'env-schema';
import type { FromSchema } from 'json-schema-to-ts';

const DATASET_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z_][A-Za-z0-9_]{0,1023}$/;

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: 'string', default: '0.0.0.0' },
    GOOGLE_CLOUD_PROJECT: {
      type: 'string',
      minLength: 1,
      description: "billing project for query jobs; unset means the credentials' project",
    },
    BIGQUERY_EMULATOR_HOST: { type: 'string', minLength: 1 },
    MAX_JSON_RESPONSE_SIZE: { type: 'integer', minimum: 1024, default: 10 * 1024 * 1024 },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    ALLOWED_DATASETS: {
      type: 'string',
      minLength: 1,
      description:
        'project.dataset pairs the API may read; anything else is refused before BigQuery is called',
      default: 'carto-demo-data.demo_tilesets,carto-demo-data.demo_tables',
    },
    QUERY_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 10_000 },
    BIGQUERY_MAX_RETRIES: {
      type: 'integer',
      minimum: 0,
      maximum: 5,
      default: 2,
      description: 'retries of failed BigQuery HTTP calls (5xx, 429, resets) inside the query timeout',
    },
    MAXIMUM_BYTES_BILLED: { type: 'integer', minimum: 10 * 1024 * 1024, default: 10 * 1024 ** 3 },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 0, default: 10_000 },
    READINESS_CACHE_MS: { type: 'integer', minimum: 0, default: 5_000 },
    TABLE_METADATA_TTL_MS: { type: 'integer', minimum: 0, default: 30_000 },
    MAX_ZOOM: { type: 'integer', minimum: 0, maximum: 30, default: 24 },
    TILE_CACHE_CONTROL: {
      type: 'string',
      default: 'public, max-age=86400, stale-while-revalidate=3600, stale-if-error=604800',
    },
    TABLE_CACHE_CONTROL: {
      type: 'string',
      default: 'public, max-age=300, stale-while-revalidate=60, stale-if-error=86400',
    },
    HOSTNAME: { type: 'string' },
  },
} as const;

type Env = FromSchema<typeof schema>;
export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema<Env>({ schema, data: env, dotenv: false });
  const allowedDatasets = new Set(
    parsed.ALLOWED_DATASETS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const dataset of allowedDatasets) {
    if (!DATASET_PATTERN.test(dataset))
      throw new Error(`ALLOWED_DATASETS: "${dataset}" is not project.dataset`);
  }
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    projectId: parsed.GOOGLE_CLOUD_PROJECT ?? (parsed.BIGQUERY_EMULATOR_HOST ? 'local' : undefined),
    emulatorHost: parsed.BIGQUERY_EMULATOR_HOST,
    maxJsonResponseSize: parsed.MAX_JSON_RESPONSE_SIZE,
    logLevel: parsed.LOG_LEVEL,
    allowedDatasets,
    queryTimeoutMs: parsed.QUERY_TIMEOUT_MS,
    maxRetries: parsed.BIGQUERY_MAX_RETRIES,
    maximumBytesBilled: String(parsed.MAXIMUM_BYTES_BILLED),
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_MS,
    readinessCacheMs: parsed.READINESS_CACHE_MS,
    tableMetadataTtlMs: parsed.TABLE_METADATA_TTL_MS,
    maxZoom: parsed.MAX_ZOOM,
    tileCacheControl: parsed.TILE_CACHE_CONTROL,
    tableCacheControl: parsed.TABLE_CACHE_CONTROL,
    instance: parsed.HOSTNAME ?? `pid-${process.pid}`,
  };
}
