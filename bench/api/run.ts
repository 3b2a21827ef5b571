// bench/api: how much a tile request costs compared with the API's cheapest route, measured in one run.
import { SAMPLE_TILESET, startSeededEmulator } from '@maps-api/emulator';
import { startApi } from '../../api/test/harness.js';
import { parseCli, wholeNumber } from '../../tools/cli.js';
import { fmt, runWrk } from '../wrk.js';

const usage = `Usage: npm run bench:api -- [--seconds N] [--connections N]
Starts the BigQuery emulator with the sample data and one API process on loopback, then runs wrk against GET / and a
tile, and prints requests/s, p50/p99 and the tile ÷ / ratios.
  --seconds N       length of each wrk run (default 10)
  --connections N   wrk connections (default 50)
  -h, --help        print this help`;
const values = parseCli(usage, {
  seconds: { type: 'string', default: '10' },
  connections: { type: 'string', default: '50' },
});
const options = {
  seconds: wholeNumber(usage, 'seconds', values.seconds),
  connections: wholeNumber(usage, 'connections', values.connections),
};

console.error('starting the emulator with sample data and one API process…');
const emulator = await startSeededEmulator();
const api = await startApi({ BIGQUERY_EMULATOR_HOST: emulator.host, LOG_LEVEL: 'warn' });
try {
  const tileUrl = `${api.url}/maps/tileset/${SAMPLE_TILESET}/14/8023/6177`;
  console.error(`wrk ${options.connections} connections x ${options.seconds}s on / …`);
  const root = await runWrk(`${api.url}/`, options.connections, options.seconds, 30);
  console.error(
    `wrk ${options.connections} connections x ${options.seconds}s on a tile (API + emulator, no cache) …`,
  );
  const tile = await runWrk(tileUrl, options.connections, options.seconds, 30);
  console.error(`wrk 1 connection x ${options.seconds}s on a tile (one query at a time) …`);
  const single = await runWrk(tileUrl, 1, options.seconds, 30);
  console.log(`date: ${new Date().toISOString()}  cores: ${(await import('node:os')).cpus().length}`);
  console.log(
    `GET /      ${fmt(root.requestsPerSec, 0)} req/s  p50 ${fmt(root.p50Ms)} ms  p99 ${fmt(root.p99Ms)} ms  errors ${root.errors}`,
  );
  console.log(
    `GET tile   ${fmt(tile.requestsPerSec, 0)} req/s  p50 ${fmt(tile.p50Ms)} ms  p99 ${fmt(tile.p99Ms)} ms  errors ${tile.errors}`,
  );
  console.log(
    `GET tile, 1 connection   ${fmt(single.requestsPerSec, 0)} req/s  p50 ${fmt(single.p50Ms)} ms  p99 ${fmt(single.p99Ms)} ms`,
  );
  console.log(`tile ÷ / throughput: ${fmt(tile.requestsPerSec / root.requestsPerSec, 4)}`);
  console.log(`tile p99 ÷ / p99: ${fmt(tile.p99Ms / root.p99Ms, 1)}`);
} finally {
  await api.stop();
  await emulator.stop();
}
