// OpenTelemetry: with an OTLP endpoint set, each request exports a server span with its BigQuery calls as children,
// continuing the caller's trace.
import { createServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SAMPLE_TILESET, freePort, startSeededEmulator, type Emulator } from '@maps-api/emulator';
import { startApi, type ApiProcess } from './harness.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

let emulator: Emulator;
let api: ApiProcess;
const received: OtlpSpan[] = [];
const collector = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
    };
    for (const resource of body.resourceSpans)
      for (const scope of resource.scopeSpans) received.push(...scope.spans);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

beforeAll(async () => {
  const port = await freePort();
  await new Promise<void>((resolve) => collector.listen(port, '127.0.0.1', resolve));
  emulator = await startSeededEmulator();
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: emulator.host,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
});
afterAll(async () => {
  await api?.stop();
  await emulator?.stop();
  collector.close();
});

it('exports a request span whose children are the BigQuery calls, in the caller’s trace', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const res = await fetch(`${api.url}/maps/tileset/${SAMPLE_TILESET}/0/0/0`, {
    headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  });
  expect(res.status).toBe(200);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !received.some((s) => s.name === 'bigquery.tile')) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const server = received.find((s) => s.name === 'GET /maps/tileset/:id/:z/:x/:y');
  const query = received.find((s) => s.name === 'bigquery.tile');
  expect(server, JSON.stringify(received.map((s) => s.name))).toBeDefined();
  expect(query).toBeDefined();
  expect(server!.traceId).toBe(traceId);
  expect(server!.parentSpanId).toBe('00f067aa0ba902b7');
  expect(query!.traceId).toBe(traceId);
  expect(query!.parentSpanId).toBe(server!.spanId);
});
