// Cross-origin policy: any origin may read (the original API's behaviour; users test from a jsfiddle). A fixed `*`,
// never a reflected origin, so one cached object serves every origin and no `Vary: Origin` is needed. Varnish
// answers preflights itself with these same values (charts/maps-api/files/vcl), and a test compares the two.
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CORS_ALLOWED_ORIGIN = '*';
export const CORS_ALLOWED_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const;
/** Response headers a page's script may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'X-Cache',
  'X-Data-Version',
  'X-Request-Id',
  'X-Served-By',
  'X-Table-Id',
  'Retry-After',
] as const;
/** Seconds a browser may reuse a preflight answer. */
export const CORS_MAX_AGE = 86400;

/**
 * The headers exactly as they go on the wire: on every answer, and (all of them) on a preflight's 204.
 * Access-Control-Allow-Headers is not fixed: it reflects the preflight's Access-Control-Request-Headers (the
 * plugin's default, and Varnish's), since a read-only API without credentials has no request header to refuse.
 */
export const CORS_RESPONSE_HEADERS = {
  'access-control-allow-origin': CORS_ALLOWED_ORIGIN,
  'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
} as const;
export const CORS_PREFLIGHT_HEADERS = {
  ...CORS_RESPONSE_HEADERS,
  allow: CORS_ALLOWED_METHODS.join(', '),
  'access-control-allow-methods': CORS_ALLOWED_METHODS.join(', '),
  'access-control-max-age': String(CORS_MAX_AGE),
} as const;

export const corsOptions: FastifyCorsOptions = {
  origin: CORS_ALLOWED_ORIGIN,
  methods: [...CORS_ALLOWED_METHODS],
  exposedHeaders: [...CORS_EXPOSED_HEADERS],
  maxAge: CORS_MAX_AGE,
  // Preflights are answered by the plugin itself with 204 and never reach a route.
  preflightContinue: false,
  optionsSuccessStatus: 204,
  // A bare OPTIONS (no Origin, e.g. curl or a fuzzer) gets the same 204, not a text/plain 400.
  strictPreflight: false,
};

export async function registerCors(app: FastifyInstance) {
  // The plugin answers preflights in its own onRequest hook; this one runs first and names the methods, as Varnish does.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') reply.header('allow', CORS_PREFLIGHT_HEADERS.allow);
  });
  await app.register(cors, corsOptions);
}

/** For the few answers Fastify sends before any hook runs (a malformed URL): the same headers, by hand. */
export const addCorsHeaders = (reply: FastifyReply) => reply.headers(CORS_RESPONSE_HEADERS);
