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
    const reader = new BigQueryReader(config, metrics, app.log);
    app
      .decorate('config', config)
      .decorate('metrics', metrics)
      .decorate('reader', reader)
      .decorate('state', { draining: false });
    // BigQuery's health is a metric (and an alert), never this pod's readiness: a BigQuery or IAM blip must not take
    // every pod out of the Service at once, nor stop a rollout or rollback from becoming Ready.
    const probe = async () => {
      try {
        await reader.ping(2000);
        metrics.bigqueryUp.set(1);
      } catch (error) {
        metrics.bigqueryUp.set(0);
        app.log.warn({ err: error }, 'BigQuery probe failed');
      }
    };
    const timer = setInterval(() => void probe(), config.BIGQUERY_PROBE_INTERVAL_MS).unref();
    app.addHook('onReady', async () => void probe());
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'services' },
);
