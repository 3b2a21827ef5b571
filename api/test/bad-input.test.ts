// Every hostile or malformed request gets a clear 4xx JSON error, and none of its payload ever reaches BigQuery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_TILESET, startSeededEmulator, type Emulator } from '@maps-api/emulator';
import { BAD_INPUTS } from './bad-input-corpus.js';
import { recordingProxy, startApi, type ApiProcess } from './harness.js';

let emulator: Emulator;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let api: ApiProcess;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  proxy = await recordingProxy(emulator.host);
  api = await startApi({ BIGQUERY_EMULATOR_HOST: proxy.host });
});
afterAll(async () => {
  await api?.stop();
  await proxy?.close();
  await emulator?.stop();
});

describe('bad-input corpus', () => {
  it('holds at least 40 cases', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(BAD_INPUTS)('$name → $status JSON error', async ({ path, method, status }) => {
    const res = await fetch(`${api.url}${path}`, { method: method ?? 'GET' });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { statusCode: number; error: string; message: string };
    expect(body.statusCode).toBe(status);
    expect(body.message.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });

  it('let no injected payload reach BigQuery, while valid requests did reach it', async () => {
    const valid = await fetch(`${api.url}/maps/tileset/${SAMPLE_TILESET}/0/0/0`);
    expect(valid.status).toBe(200);
    // every %XX decoded (query texts hold other % signs, e.g. FORMAT('%d/%d/%d', …), which whole-string decoding refuses)
    const decodeRun = (run: string) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    };
    const decode = (body: string) => body.replace(/(%[0-9A-Fa-f]{2})+/g, decodeRun);
    const seen = proxy.bodies.map(decode).join('\n');
    expect(seen).toContain('SELECT data FROM'); // the proxy really records query texts
    for (const { marker } of BAD_INPUTS) {
      if (marker) expect(seen, `payload ${marker} reached BigQuery`).not.toContain(marker);
    }
  });
});
