// Every answer a client can get from a data route, with its headers and body, declared once: @fastify/swagger turns
// these into /openapi.json (what contract tests and the fuzzer read) and Fastify serializes error bodies with them.
import { CORS_ALLOWED_METHODS, CORS_RESPONSE_HEADERS } from './cors.js';

/** Marks a response header the API always sends; `requiredResponseHeaders` turns it into OpenAPI's `required`. */
const ALWAYS = 'x-always-sent';

interface HeaderSchema {
  type: 'string';
  description: string;
  enum?: string[];
  pattern?: string;
  [ALWAYS]?: true;
}

const always = (
  description: string,
  schema: Omit<HeaderSchema, 'type' | 'description'> = {},
): HeaderSchema => ({
  type: 'string',
  description,
  ...schema,
  [ALWAYS]: true,
});

/** On every answer, errors included (CORS, cache policy, tracing). */
export const COMMON_HEADERS = {
  'Access-Control-Allow-Origin': always('any origin may read this answer', {
    enum: [CORS_RESPONSE_HEADERS['access-control-allow-origin']],
  }),
  'Access-Control-Expose-Headers': always('response headers a page on another origin may read', {
    enum: [CORS_RESPONSE_HEADERS['access-control-expose-headers']],
  }),
  'Cache-Control': always(
    'caching policy: long for tiles, shorter for tables, 30 s for 4xx, no-store for 5xx',
  ),
  'X-Request-Id': always("the caller's X-Request-Id when well-formed, else a new UUID", {
    pattern: '^[A-Za-z0-9._-]{1,128}$',
  }),
  'X-Served-By': always('the API instance that answered'),
};

/** On answers about a table's current data: 200, 204 and 304. */
const VERSION_HEADERS = {
  ...COMMON_HEADERS,
  ETag: always('strong validator from the table version and the canonical request', {
    pattern: '^"[\\w-]{27}"$',
  }),
  'Last-Modified': always("the table's last modification (HTTP date)"),
  'X-Data-Version': always("the table's last modification (ISO 8601): changes when the data changes"),
  'X-Table-Id': always('the table actually read (project.dataset.table): the cache ban key'),
};

export const ERROR_BODY = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'requestId'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string', description: 'machine-readable code, e.g. BAD_REQUEST, UPSTREAM_TIMEOUT' },
    message: { type: 'string', description: 'for people; never SQL text or a BigQuery message' },
    requestId: { type: 'string' },
  },
} as const;

const error = (description: string, headers: Record<string, HeaderSchema> = {}) => ({
  description,
  headers: { ...COMMON_HEADERS, ...headers },
  ...ERROR_BODY,
});

/** The JSON errors every data route can answer. */
export const DATA_ROUTE_ERRORS = {
  400: error(
    'bad or missing parameter, malformed or non-canonical URL (percent-encoding, signs, leading zeros), or not a ' +
      'table of the expected shape',
  ),
  403: error(
    'the id is not one of the public table ids this API serves (SERVED_TABLES): refused before BigQuery is called',
  ),
  404: error('no such table'),
  405: error('a method other than GET, HEAD or OPTIONS', {
    Allow: always('methods this path serves', { enum: [CORS_ALLOWED_METHODS.join(', ')] }),
  }),
  413: error('the answer would exceed MAX_JSON_RESPONSE_SIZE, or the query would scan more than allowed'),
  502: error('BigQuery failed or answered something unreadable'),
  503: error('BigQuery quota or rate limit reached, or too many BigQuery calls in flight here: retry later', {
    'Retry-After': always('seconds to wait', { pattern: '^[0-9]+$' }),
  }),
  504: error('BigQuery did not answer within QUERY_TIMEOUT_MS'),
} as const;

/** A successful answer about a table's data: its body by media type, and the version headers. */
export const versioned = (description: string, content?: Record<string, { schema: object }>, extra = {}) => ({
  description,
  headers: { ...VERSION_HEADERS, ...extra },
  ...(content ? { content } : { type: 'null' }),
});

export const NOT_MODIFIED = versioned(
  "If-None-Match names the current version: no body, the client's copy is good",
);

export const CONTENT_ENCODING_GZIP = {
  'Content-Encoding': always('tiles are stored and sent gzip-compressed', { enum: ['gzip'] }),
};

export const IF_NONE_MATCH = {
  type: 'object',
  properties: {
    'if-none-match': {
      type: 'string',
      description: 'an ETag from an earlier answer: 304 when still current',
    },
  },
} as const;

interface OpenApiHeader {
  required?: boolean;
  schema?: Record<string, unknown>;
}

/** @fastify/swagger copies a header's schema whole: move our marker out to the header object's `required`. */
export function requiredResponseHeaders<T extends { paths?: object }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {}) as Record<string, unknown>[]) {
    for (const operation of Object.values(operations) as { responses?: Record<string, unknown> }[]) {
      for (const response of Object.values(operation.responses ?? {}) as { headers?: object }[]) {
        for (const header of Object.values(response.headers ?? {}) as OpenApiHeader[]) {
          if (header.schema?.[ALWAYS]) {
            delete header.schema[ALWAYS];
            header.required = true;
          }
        }
      }
    }
  }
  return document;
}
