import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ERROR_CACHE_CONTROL } from './caching.js';
import type { Config } from './config.js';
import { addCorsHeaders, registerCors } from './cors.js';
import { nonCanonical } from './canonical-url.js';
import { HttpError, badRequest } from './errors.js';
import { requiredResponseHeaders } from './responses.js';
import { collectServedMethods } from './method-not-allowed.js';
import { operationsRoutes } from './routes/operations.js';
import { tableRoutes } from './routes/table.js';
import { tilesetRoutes } from './routes/tileset.js';
import { services } from './services.js';
import { traceRequests } from './tracing.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    routerOptions: { maxParamLength: 1200 },
    // Requests that arrive on an open connection while we drain are still served; new connections are refused.
    return503OnClosing: false,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // A malformed URL or an over-long parameter is refused before any hook runs: same JSON and headers as the rest.
    frameworkErrors: (error, request, reply) => {
      addCorsHeaders(reply).header('x-request-id', request.id).header('x-served-by', config.HOSTNAME);
      sendError(reply, request.id, describeFrameworkError(error));
    },
  });
  await app.register(services, { config });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'maps-api',
        version: '1.0.0',
        description:
          'GeoJSON and vector tiles from BigQuery. Read-only: GET and HEAD, OPTIONS answers CORS preflights on ' +
          'every path (204); any other method on a known path is 405 with Allow. Every answer carries ' +
          'Access-Control-Allow-Origin: *. Errors are JSON {statusCode, error, message, requestId}.',
      },
    },
    transformObject: (document) =>
      'openapiObject' in document ? requiredResponseHeaders(document.openapiObject) : document.swaggerObject,
  });

  await registerCors(app);
  traceRequests(app);
  app.addHook('onRequest', async (request) => {
    const problem = nonCanonical(request.url);
    if (problem) {
      throw badRequest(
        `non-canonical URL (${problem}): write the table id, z/x/y, geomField and format literally, without ` +
          'percent-encoding, signs or leading zeros',
      );
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id).header('x-served-by', config.HOSTNAME);
    if (app.state.draining) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    app.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler<FastifyError | HttpError>((error, request, reply) => {
    const description = describe(error);
    if (description.status >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof HttpError) reply.headers(error.headers);
    sendError(reply, request.id, description);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request.id, {
      status: 404,
      code: 'NOT_FOUND',
      message: `no route for ${request.method} ${request.url.split('?')[0]}`,
    }),
  );

  const answerUnservedMethods = collectServedMethods(app);
  await app.register(operationsRoutes);
  await app.register(tilesetRoutes);
  await app.register(tableRoutes);
  answerUnservedMethods();
  return app;
}

interface ErrorDescription {
  status: number;
  code: string;
  message: string;
}

function sendError(reply: FastifyReply, requestId: string, { status, code, message }: ErrorDescription) {
  return reply
    .code(status)
    .header(
      'cache-control',
      status >= 500 || status === 429 ? ERROR_CACHE_CONTROL.server : ERROR_CACHE_CONTROL.client,
    )
    .send({ statusCode: status, error: code, message, requestId });
}

/** Refusals by the router itself: parameters it cannot decode or that exceed maxParamLength are bad parameters. */
function describeFrameworkError(error: FastifyError): ErrorDescription {
  if (error.code === 'FST_ERR_BAD_URL')
    return { status: 400, code: 'BAD_REQUEST', message: 'malformed URL: invalid percent-encoding' };
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return { status: 400, code: 'BAD_REQUEST', message: 'a path parameter is too long' };
  return describe(error);
}

function describe(error: FastifyError | HttpError): ErrorDescription {
  if (error instanceof HttpError)
    return { status: error.statusCode, code: error.code, message: error.message };
  if ((error as FastifyError).validation) return { status: 400, code: 'BAD_REQUEST', message: error.message };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return { status, code: error.code ?? 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}
