// Settings from the environment. ONE list: the JSON schema below names every setting with its type, bounds, default
// and meaning. Validation and defaults (env-schema) and the TypeScript type (json-schema-to-ts's FromSchema) both come
// from it, and the code reads each setting under its variable name (`config.MAX_ZOOM`, as @fastify/env does), so there
// is no second list of names to keep in step.
import { envSchema } from 'env-schema';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { TABLE_ID_PATTERN } from './table-id.js';

const DATASET_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z_][A-Za-z0-9_]{0,1023}$/;

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
    ALLOWED_DATASETS: {
      type: 'string',
      minLength: 1,
      description:
        'comma-separated project.dataset the API may read; anything else is refused before BigQuery is called',
      default: 'carto-demo-data.demo_tilesets,carto-demo-data.demo_tables',
    },
    TABLE_ALIASES: {
      type: 'string',
      default: '',
      description:
        'comma-separated public=backing table ids: clients keep the public id, the API reads the backing table ' +
        '(which must be inside ALLOWED_DATASETS)',
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
      description: 'retries of failed BigQuery HTTP calls (5xx, 429, resets) inside the query timeout',
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
    READINESS_CACHE_MS: {
      type: 'integer',
      minimum: 0,
      default: 5_000,
      description: 'how long a readiness answer is reused',
    },
    TABLE_METADATA_TTL_MS: {
      type: 'integer',
      minimum: 0,
      default: 30_000,
      description: 'how long table metadata is reused',
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
 * The settings, validated, with defaults applied. Four of them are then completed under their own names:
 * the allow-list and the aliases are parsed (and cross-checked) once at startup, the billing project falls back to
 * `local` for the emulator, and the byte cap becomes the decimal string BigQuery's int64 fields take.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // env: false: read only the environment given (tests pass their own), never merge process.env behind it.
  const settings = envSchema<Settings>({ schema: settingsSchema, data: env, env: false, dotenv: false });
  const allowedDatasets = parseAllowedDatasets(settings.ALLOWED_DATASETS);
  return {
    ...settings,
    GOOGLE_CLOUD_PROJECT:
      settings.GOOGLE_CLOUD_PROJECT ?? (settings.BIGQUERY_EMULATOR_HOST ? 'local' : undefined),
    ALLOWED_DATASETS: allowedDatasets,
    TABLE_ALIASES: parseTableAliases(settings.TABLE_ALIASES, allowedDatasets),
    MAXIMUM_BYTES_BILLED: String(settings.MAXIMUM_BYTES_BILLED),
  };
}

export type Config = ReturnType<typeof loadConfig>;

const commaSeparated = (list: string) =>
  list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseAllowedDatasets(list: string): Set<string> {
  const datasets = new Set(commaSeparated(list));
  for (const dataset of datasets) {
    if (!DATASET_PATTERN.test(dataset))
      throw new Error(`ALLOWED_DATASETS: "${dataset}" is not project.dataset`);
  }
  return datasets;
}

const tableIdRegex = new RegExp(TABLE_ID_PATTERN);
const datasetOf = (tableId: string) => tableId.split('.').slice(0, 2).join('.');

/** `public=backing,...` -> Map(public -> backing); a backing table outside the allow-list is a startup error. */
function parseTableAliases(list: string, allowedDatasets: Set<string>): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const entry of commaSeparated(list)) {
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
