// BigQuery failures the emulator cannot produce, injected by the stand-in in front of it: each maps to a clear JSON error,
// the process keeps serving, and no internal detail leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultyBigQuery, startApi, type ApiProcess, type QueryFault } from './harness.js';

let faults: Awaited<ReturnType<typeof faultyBigQuery>>;
let api: ApiProcess;
const TILE = '/maps/tileset/carto-demo-data.demo_tilesets.osm_buildings/0/0/0';

beforeAll(async () => {
  faults = await faultyBigQuery();
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: faults.host,
    QUERY_TIMEOUT_MS: '1500',
    BIGQUERY_MAX_RETRIES: '0',
  });
});
afterAll(async () => {
  await api?.stop();
  await faults?.close();
});

async function tileWith(mode: QueryFault) {
  faults.setFault(mode);
  const started = Date.now();
  const res = await fetch(`${api.url}${TILE}`);
  return { res, body: await res.text(), ms: Date.now() - started };
}

describe('BigQuery failures', () => {
  it('serves the tile when the stand-in answers normally (the stand-in itself works)', async () => {
    const { res } = await tileWith('none');
    expect(res.status).toBe(200);
  });

  it('maps a query that never answers to 504 within the configured timeout', async () => {
    const { res, body, ms } = await tileWith('hang');
    expect(res.status).toBe(504);
    expect(JSON.parse(body)).toMatchObject({ error: 'UPSTREAM_TIMEOUT' });
    expect(ms).toBeLessThan(4000);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('maps a BigQuery 5xx to 502 without leaking its message', async () => {
    const { res, body } = await tileWith('server-error');
    expect(res.status).toBe(502);
    expect(JSON.parse(body)).toMatchObject({ error: 'UPSTREAM_ERROR' });
    expect(body).not.toContain('line 42');
    expect(body).not.toMatch(/\.(ts|js):\d+/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('maps a quota error to 503 with Retry-After', async () => {
    const { res, body } = await tileWith('quota');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(JSON.parse(body)).toMatchObject({ error: 'UPSTREAM_QUOTA' });
  });

  it('maps a malformed BigQuery answer to 502', async () => {
    const { res, body } = await tileWith('malformed');
    expect(res.status).toBe(502);
    expect(JSON.parse(body)).toMatchObject({ error: 'UPSTREAM_ERROR' });
  });

  it('retries a 5xx inside the timeout when retries are allowed, then answers 502', async () => {
    const retrying = await startApi({
      BIGQUERY_EMULATOR_HOST: faults.host,
      QUERY_TIMEOUT_MS: '10000',
      BIGQUERY_MAX_RETRIES: '1',
    });
    try {
      faults.setFault('server-error');
      const before = faults.queryCount();
      const res = await fetch(`${retrying.url}${TILE}`);
      expect(res.status).toBe(502);
      expect(faults.queryCount() - before).toBe(2);
    } finally {
      await retrying.stop();
    }
  });

  it.each(['too-many-requests'] as const)(
    'never retries a rate limit (%s, 429) even when retries are allowed: one call, then 503 + Retry-After',
    async (mode) => {
      const retrying = await startApi({
        BIGQUERY_EMULATOR_HOST: faults.host,
        QUERY_TIMEOUT_MS: '10000',
        BIGQUERY_MAX_RETRIES: '2',
      });
      try {
        faults.setFault(mode);
        const before = faults.queryCount();
        const res = await fetch(`${retrying.url}${TILE}`);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('30');
        expect(faults.queryCount() - before).toBe(1);
      } finally {
        await retrying.stop();
      }
    },
  );

  it('keeps serving after every failure: no crash, healthy, and counts the errors', async () => {
    expect(api.child.exitCode).toBeNull();
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const { res } = await tileWith('none');
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/bigquery_errors_total\{kind="tile",code="UPSTREAM_TIMEOUT"\} [1-9]/);
    expect(metrics).toMatch(/bigquery_errors_total\{kind="tile",code="UPSTREAM_QUOTA"\} [1-9]/);
  });
});
