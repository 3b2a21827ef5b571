// A known path asked with a method it does not serve gets 405 and `Allow` (RFC 9110), not the 404 meant for unknown
// paths. Every route's methods are collected as it is declared; `answerUnservedMethods` then adds, per path, one
// route for the methods nobody serves there.
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import { HttpError } from './errors.js';

export function collectServedMethods(app: FastifyInstance): () => void {
  const served = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    // `*` is the preflight route of @fastify/cors: OPTIONS is answered on every path.
    if (route.url === '*') return;
    const methods = served.get(route.url) ?? new Set<string>(['OPTIONS']);
    for (const method of [route.method].flat()) methods.add(method);
    served.set(route.url, methods);
  });
  return function answerUnservedMethods() {
    for (const [url, methods] of [...served]) {
      const allow = app.supportedMethods.filter((m) => methods.has(m)).join(', ');
      const unserved = app.supportedMethods.filter((m) => !methods.has(m)) as HTTPMethods[];
      if (unserved.length === 0) continue;
      const refuse = async (request: FastifyRequest) => {
        throw new HttpError(
          405,
          `${request.method} is not allowed here; allowed: ${allow}`,
          'METHOD_NOT_ALLOWED',
          {
            allow,
          },
        );
      };
      // Refused in onRequest, before a body could be parsed (and refused with 415) or a parameter validated.
      app.route({ method: unserved, url, schema: { hide: true }, onRequest: refuse, handler: refuse });
    }
  };
}
