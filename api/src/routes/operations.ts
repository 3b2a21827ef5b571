// Endpoints for people and machines operating the service: greeting, health, readiness, metrics, API description.
import type { FastifyPluginAsync } from 'fastify';
import { COMMON_HEADERS, DATA_ROUTE_ERRORS } from '../responses.js';

export const operationsRoutes: FastifyPluginAsync = async (app) => {
  const { config, reader, metrics, state } = app;
  const noStore = { 'cache-control': 'no-store' };
  let readiness: { ok: boolean; until: number } = { ok: false, until: 0 };

  const greeting = {
    summary: 'Greeting (contract of the original API)',
    response: {
      200: {
        description: 'the greeting',
        headers: COMMON_HEADERS,
        content: { 'text/plain': { schema: { type: 'string', enum: ['Hello World!'] } } },
      },
      405: DATA_ROUTE_ERRORS[405],
    },
  };
  app.get('/', { schema: greeting }, async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'public, max-age=60')
      .send('Hello World!'),
  );

  app.get(
    '/healthz',
    { schema: { summary: 'Liveness: the process answers', hide: true } },
    async (_request, reply) => reply.headers(noStore).send({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: not draining and BigQuery reachable', hide: true } },
    async (request, reply) => {
      reply.headers(noStore);
      if (state.draining) return reply.code(503).send({ status: 'draining' });
      if (readiness.until < Date.now()) {
        try {
          await reader.ping(2000);
          readiness = { ok: true, until: Date.now() + config.READINESS_CACHE_MS };
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check failed');
          readiness = { ok: false, until: Date.now() + Math.min(config.READINESS_CACHE_MS, 1000) };
        }
      }
      return readiness.ok
        ? reply.send({ status: 'ready' })
        : reply.code(503).send({ status: 'bigquery unreachable' });
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .headers(noStore)
      .type(metrics.registry.contentType)
      .send(await metrics.registry.metrics()),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(app.swagger()),
  );
};
