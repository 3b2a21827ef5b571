// Endpoints for people and machines operating the service: greeting, health, readiness, metrics, API description.
import type { FastifyPluginAsync } from 'fastify';
import { COMMON_HEADERS, DATA_ROUTE_ERRORS } from '../responses.js';

export const operationsRoutes: FastifyPluginAsync = async (app) => {
  const { metrics, state } = app;
  const noStore = { 'cache-control': 'no-store' };

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
    {
      schema: {
        summary: 'Readiness: this process serves and is not draining (BigQuery health is a metric)',
        hide: true,
      },
    },
    async (_request, reply) => {
      reply.headers(noStore);
      return state.draining ? reply.code(503).send({ status: 'draining' }) : reply.send({ status: 'ready' });
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
