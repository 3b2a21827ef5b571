// Settings from the environment: one JSON schema (validation, defaults, and through FromSchema the types), then the
// names and shapes the code uses.
import { envSchema } from 'env-schema';
import type { FromSchema } from 'json-schema-to-ts';
import { TABLE_ID_PATTERN } from './table-id.js';

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
    TABLE_ALIASES: {
      type: 'string',
      default: '',
      description:
        'comma-separated public=backing table ids: clients keep the public id, the API reads the backing table ' +
        '(which must be inside ALLOWED_DATASETS)',
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
  const tableAliases = parseTableAliases(parsed.TABLE_ALIASES, allowedDatasets);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    projectId: parsed.GOOGLE_CLOUD_PROJECT ?? (parsed.BIGQUERY_EMULATOR_HOST ? 'local' : undefined),
    emulatorHost: parsed.BIGQUERY_EMULATOR_HOST,
    maxJsonResponseSize: parsed.MAX_JSON_RESPONSE_SIZE,
    logLevel: parsed.LOG_LEVEL,
    allowedDatasets,
    tableAliases,
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

const tableIdRegex = new RegExp(TABLE_ID_PATTERN);
const datasetOf = (tableId: string) => tableId.split('.').slice(0, 2).join('.');

/** `public=backing,...` -> Map(public -> backing); a backing table outside the allow-list is a startup error. */
function parseTableAliases(list: string, allowedDatasets: Set<string>): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const entry of list.split(',').map((s) => s.trim())) {
    if (!entry) continue;
    const [publicId, backingId, ...rest] = entry.split('=').map((s) => s.trim());
    if (!publicId || !backingId || rest.length > 0)
      throw new Error(`TABLE_ALIASES: "${entry}" is not public=backing`);
    for (const id of [publicId, backingId]) {
      if (!tableIdRegex.test(id)) throw new Error(`TABLE_ALIASES: "${id}" is not project.dataset.table`);
    }
    if (aliases.has(publicId)) throw new Error(`TABLE_ALIASES: "${publicId}" is mapped twice`);
    if (!allowedDatasets.has(datasetOf(backingId)))
      throw new Error(`TABLE_ALIASES: backing table "${backingId}" is outside ALLOWED_DATASETS`);
    aliases.set(publicId, backingId);
  }
  return aliases;
}
