// Settings from the environment. ONE list: the JSON schema below names every setting with its type, bounds, default
// and meaning. Validation and defaults (env-schema) and the TypeScript type (json-schema-to-ts's FromSchema) both come
// from it, and the code reads each setting under its variable name (`config.MAX_ZOOM`, as @fastify/env does), so there
// is no second list of names to keep in step.
import { envSchema } from 'env-schema';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { TABLE_ID_PATTERN } from './table-id.js';

export const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000, description: 'listen port' },
    HOST: { type: 'string', default: '0.0.0.0', description: 'listen address' },
    GOOGLE_CLOUD_PROJECT: {
      type: 'string',
      minLength: 1,
      description:
        "billing project of query jobs; unset: the credentials' project (`local` with the emulator)",
    },
    BIGQUERY_EMULATOR_HOST: {
      type: 'string',
      minLength: 1,
      description: 'e.g. http://127.0.0.1:9050/bigquery/v2; honoured by @google-cloud/bigquery itself',
    },
    MAX_JSON_RESPONSE_SIZE: {
      type: 'integer',
      minimum: 1024,
      default: 10 * 1024 * 1024,
      description: 'bytes; a larger GeoJSON answer is 413',
    },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
      description: 'pino level; logs are JSON lines with reqId',
    },
    SERVED_TABLES: {
      type: 'string',
      minLength: 1,
      default: 'carto-demo-data.demo_tilesets.osm_buildings,carto-demo-data.demo_tables.retail_stores',
      description:
        'comma-separated public table ids this API serves, each optionally `=backing` (the table read for it, e.g. ' +
        "the environment's replica); any other id is refused (403) before BigQuery is called. Default: the " +
        'embedded sample tables (the emulator holds them under these ids)',
    },
    QUERY_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      default: 10_000,
      description: 'per BigQuery call, retries included',
    },
    BIGQUERY_MAX_RETRIES: {
      type: 'integer',
      minimum: 0,
      maximum: 5,
      default: 2,
      description:
        'retries of failed BigQuery HTTP calls (5xx, timeouts, resets) inside the query timeout; never of rate or ' +
        'quota limits',
    },
    MAX_CONCURRENT_BIGQUERY_CALLS: {
      type: 'integer',
      minimum: 1,
      default: 20,
      description:
        'BigQuery calls one instance keeps in flight (5 pods: 100 per environment); more get 503 + Retry-After at once',
    },
    MAXIMUM_BYTES_BILLED: {
      type: 'integer',
      minimum: 10 * 1024 * 1024,
      default: 10 * 1024 ** 3,
      description: 'per query; above it BigQuery refuses (413 here)',
    },
    SHUTDOWN_TIMEOUT_MS: {
      type: 'integer',
      minimum: 0,
      default: 10_000,
      description: 'drain time after SIGTERM before a forced exit',
    },
    BIGQUERY_PROBE_INTERVAL_MS: {
      type: 'integer',
      minimum: 1_000,
      default: 15_000,
      description:
        'how often each pod checks that BigQuery answers (a free metadata read): the gauge bigquery_up, never readiness',
    },
    TABLE_METADATA_TTL_MS: {
      type: 'integer',
      minimum: 0,
      default: 30_000,
      description: 'how long table metadata is reused',
    },
    TABLE_LOOKUP_FAILURE_TTL_MS: {
      type: 'integer',
      minimum: 0,
      default: 5_000,
      description: 'how long a failed table lookup (404, BigQuery down) is answered from memory',
    },
    MAX_ZOOM: { type: 'integer', minimum: 0, maximum: 30, default: 24, description: 'highest z accepted' },
    TILE_CACHE_CONTROL: {
      type: 'string',
      default: 'public, max-age=86400, stale-while-revalidate=3600, stale-if-error=604800',
      description: 'Cache-Control of tiles',
    },
    TABLE_CACHE_CONTROL: {
      type: 'string',
      default: 'public, max-age=300, stale-while-revalidate=60, stale-if-error=86400',
      description: 'Cache-Control of GeoJSON tables',
    },
    HOSTNAME: {
      type: 'string',
      default: `pid-${process.pid}`,
      description: 'names this instance in X-Served-By (Kubernetes sets the pod name)',
    },
  },
} as const satisfies JSONSchema;

export type Settings = FromSchema<typeof settingsSchema>;

/**
 * The settings, validated, with defaults applied. Three of them are then completed under their own names: the served
 * tables are parsed once at startup, the billing project falls back to `local` for the emulator, and the byte cap
 * becomes the decimal string BigQuery's int64 fields take.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // env: false: read only the environment given (tests pass their own), never merge process.env behind it.
  const settings = envSchema<Settings>({ schema: settingsSchema, data: env, env: false, dotenv: false });
  return {
    ...settings,
    GOOGLE_CLOUD_PROJECT:
      settings.GOOGLE_CLOUD_PROJECT ?? (settings.BIGQUERY_EMULATOR_HOST ? 'local' : undefined),
    SERVED_TABLES: parseServedTables(settings.SERVED_TABLES),
    MAXIMUM_BYTES_BILLED: String(settings.MAXIMUM_BYTES_BILLED),
  };
}

export type Config = ReturnType<typeof loadConfig>;

const tableIdRegex = new RegExp(TABLE_ID_PATTERN);

/** `public[=backing],…` -> Map(public id -> the table read for it: its backing table, else itself). */
function parseServedTables(list: string): Map<string, string> {
  const served = new Map<string, string>();
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('SERVED_TABLES: no table id');
  for (const entry of entries) {
    const [publicId = '', backingId = publicId, ...rest] = entry.split('=').map((id) => id.trim());
    if (rest.length > 0) throw new Error(`SERVED_TABLES: "${entry}" is not public or public=backing`);
    for (const id of [publicId, backingId]) {
      if (!tableIdRegex.test(id)) throw new Error(`SERVED_TABLES: "${id}" is not project.dataset.table`);
    }
    if (served.has(publicId)) throw new Error(`SERVED_TABLES: "${publicId}" is listed twice`);
    served.set(publicId, backingId);
  }
  return served;
}
