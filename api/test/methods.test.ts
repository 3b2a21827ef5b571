// A known path asked with a method it does not serve answers 405 with Allow; unknown paths stay 404; HEAD still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_TABLE, SAMPLE_TILESET, startSeededEmulator, type Emulator } from '@maps-api/emulator';
import { rawRequest, startApi, type ApiProcess } from './harness.js';

let emulator: Emulator;
let api: ApiProcess;
const tile = `/maps/tileset/${SAMPLE_TILESET}/0/0/0`;
const table = `/maps/table/${SAMPLE_TABLE}?geomField=geom`;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  api = await startApi({ BIGQUERY_EMULATOR_HOST: emulator.host });
});
afterAll(async () => {
  await api?.stop();
  await emulator?.stop();
});

describe('methods the API does not serve', () => {
  it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'TRACE'])(
    '%s on a tile, a table and / answers 405 with Allow',
    async (method) => {
      for (const path of [tile, table, '/']) {
        const res = await rawRequest(`${api.url}${path}`, {
          method,
          headers: { origin: 'https://jsfiddle.net' },
        });
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(JSON.parse(res.body.toString())).toMatchObject({
          statusCode: 405,
          error: 'METHOD_NOT_ALLOWED',
        });
      }
    },
  );

  it('refuses before looking at the body or the parameters: an XML body to a malformed tile URL is still 405', async () => {
    const res = await fetch(`${api.url}/maps/tileset/not-an-id/x/y/z`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect(res.status).toBe(405);
  });

  it('keeps 404 for unknown paths, whatever the method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await fetch(`${api.url}/maps/nothing/here`, { method });
      expect(res.status, method).toBe(404);
      expect(res.headers.get('allow')).toBeNull();
    }
  });

  it('still answers HEAD like GET, without a body', async () => {
    const res = await fetch(`${api.url}${tile}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"/);
    expect(await res.text()).toBe('');
  });
});
