// Process entry point: configuration from the environment, listen, and a graceful drain on SIGTERM/SIGINT.
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { startTracing } from './tracing.js';

const config = loadConfig();
const stopTracing = startTracing();
const app = await buildApp(config);
await app.listen({ port: config.PORT, host: config.HOST });

let stopping = false;
async function drain(signal: string) {
  if (stopping) return;
  stopping = true;
  app.state.draining = true;
  app.log.info(
    { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
    'draining: readiness off, finishing in-flight requests',
  );
  const force = setTimeout(() => {
    app.log.error('drain timeout: exiting with requests still in flight');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  force.unref();
  await app.close();
  await stopTracing();
  app.log.info('drained, exiting');
  process.exit(0);
}
process.on('SIGTERM', () => void drain('SIGTERM'));
process.on('SIGINT', () => void drain('SIGINT'));
