// `npm run serve -w emulator -- [--port 9050]`: the emulator with the sample data, until Ctrl-C.
import { parseArgs } from 'node:util';
import { startSeededEmulator } from './index.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9050' } } });
const started = Date.now();
const emulator = await startSeededEmulator({ port: Number(values.port) });
console.log(`BigQuery emulator with sample data ready in ${Date.now() - started} ms`);
console.log(`export BIGQUERY_EMULATOR_HOST=${emulator.host}`);
const shutdown = () => void emulator.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
