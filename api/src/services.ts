// The services every route shares, as decorators on the Fastify instance (registered once by app.ts), so route
// plugins reach them as `app.config`, `app.reader`… instead of importing the module that imports them.
import fp from 'fastify-plugin';
import { BigQueryReader } from './bigquery.js';
import type { Config } from './config.js';
import { createMetrics, type Metrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    reader: BigQueryReader;
    metrics: Metrics;
    /** Set on SIGTERM: readiness fails and responses ask clients to reconnect elsewhere. */
    state: { draining: boolean };
  }
}

export const services = fp<{ config: Config }>(
  async (app, { config }) => {
    const metrics = createMetrics();
    app
      .decorate('config', config)
      .decorate('metrics', metrics)
      .decorate('reader', new BigQueryReader(config, metrics, app.log))
      .decorate('state', { draining: false });
  },
  { name: 'services' },
);
