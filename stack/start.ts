// `npm start`: the local stack on the ports every doc uses, on the embedded sample data, no cloud credentials.
//   npm start               Varnish :8080 → 5 API processes :3000-3004 → BigQuery emulator :9050,
//                           and the map viewer on an origin of its own, :8090
//   npm start -- --watch    the same, API processes restart on every change under api/src, the viewer's bundle on
//                           every change under viewer/src
// Ports: VARNISH_PORT, API_PORT (first of five), EMULATOR_PORT, VIEWER_PORT override environments.json, as in compose.yaml.
import { readFileSync } from 'node:fs';
import { SAMPLE_TABLE, SAMPLE_TILESET } from '@maps-api/emulator';
import { parseCli, wholeNumber } from '../tools/cli.js';
import { serveViewer } from '../viewer/serve.js';
import { startNativeStack } from './native.js';
import { useInstalledTools } from '../tools/tools-path.js';

const usage = `Usage: npm start [-- [--watch] [--apis N]]
The local stack on the embedded sample data, no cloud credentials: Varnish → API processes → BigQuery emulator.
  --watch      restart the API processes on every change under api/src, rebundle the viewer on changes under viewer/src
  --apis N     how many API processes (default 5)
  -h, --help   print this help
Also serves the map viewer on an origin of its own.
Ports: VARNISH_PORT, API_PORT (first API), EMULATOR_PORT, VIEWER_PORT override environments.json.`;
useInstalledTools(); // varnishd, helm, local-bigquery as tools/install.sh linked them
const values = parseCli(usage, {
  watch: { type: 'boolean', default: false },
  apis: { type: 'string', default: '5' },
});
const { ports } = JSON.parse(readFileSync(new URL('../environments.json', import.meta.url), 'utf8')) as {
  ports: { api: number; varnish: number; bigqueryEmulator: number; viewer: number };
};

// Same overrides as compose.yaml, so both ways can run beside other stacks (and in tests).
const port = (name: string, fallback: number) => Number(process.env[name] || fallback);
const started = Date.now();
const progress = (step: string) => console.log(`… starting ${step}`);
const stack = await startNativeStack({
  apis: wholeNumber(usage, 'apis', values.apis),
  apiBasePort: port('API_PORT', ports.api),
  varnishPort: port('VARNISH_PORT', ports.varnish),
  emulatorPort: port('EMULATOR_PORT', ports.bigqueryEmulator),
  watch: values.watch,
  apiEnv: { LOG_LEVEL: 'info' },
  progress,
  onLog: values.watch ? (line) => console.log(line) : undefined,
});
progress('the map viewer (esbuild bundles it in memory)');
const viewer = await serveViewer({
  port: port('VIEWER_PORT', ports.viewer),
  localApiUrl: stack.url,
  watch: values.watch,
}).catch(async (error: unknown) => {
  await stack.stop();
  throw error;
});
console.log(`
Local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Ctrl-C stops it)
  Varnish (the way in)   ${stack.url}  (Varnish ${stack.varnish.runtime.version}, ${stack.varnish.runtime.kind === 'image' ? "production's image through Docker" : "this machine's varnishd"})
  API processes          ${stack.apis.map((api) => api.url).join(' ')}
  BigQuery emulator      BIGQUERY_EMULATOR_HOST=${stack.emulator.host}
  Map viewer             ${viewer.url}/  (its own origin: the browser reaches Varnish by CORS, as any web map does)

  curl -si ${stack.url}/maps/tileset/${SAMPLE_TILESET}/0/0/0 | head
  curl -s '${stack.url}/maps/table/${SAMPLE_TABLE}?geomField=geom&format=geojson' | head -c 300
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping the local stack…');
  await viewer.stop();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
