// Process entry point: configuration from the environment, listen, and a graceful drain on SIGTERM/SIGINT.
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { startTracing } from './tracing.js';

const config = loadConfig();
const stopTracing = startTracing();
const app = await buildApp(config);
await app.listen({ port: config.port, host: config.host });

let stopping = false;
async function drain(signal: string) {
  if (stopping) return;
  stopping = true;
  app.state.draining = true;
  app.log.info(
    { signal, timeoutMs: config.shutdownTimeoutMs },
    'draining: readiness off, finishing in-flight requests',
  );
  const force = setTimeout(() => {
    app.log.error('drain timeout: exiting with requests still in flight');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  await app.close();
  await stopTracing();
  app.log.info('drained, exiting');
  process.exit(0);
}
process.on('SIGTERM', () => void drain('SIGTERM'));
process.on('SIGINT', () => void drain('SIGINT'));
