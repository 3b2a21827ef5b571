// Readiness means "this pod can serve": process up and not draining. BigQuery's health is the gauge bigquery_up (and
// the alert MapsBigQueryUnreachable): a BigQuery or IAM blip must not mark every pod unready at once, nor keep a
// rollout or rollback from ever becoming Ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSeededEmulator, type Emulator } from '@maps-api/emulator';
import { startApi, type ApiProcess } from './harness.js';

let emulator: Emulator;
let cutOff: ApiProcess;
let connected: ApiProcess;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  const nothingListens = `http://127.0.0.1:${await freePort()}/bigquery/v2`;
  [cutOff, connected] = await Promise.all([
    startApi({
      BIGQUERY_EMULATOR_HOST: nothingListens,
      BIGQUERY_PROBE_INTERVAL_MS: '1000',
      BIGQUERY_MAX_RETRIES: '0',
    }),
    startApi({ BIGQUERY_EMULATOR_HOST: emulator.host, BIGQUERY_PROBE_INTERVAL_MS: '1000' }),
  ]);
});
afterAll(async () => {
  await Promise.all([cutOff?.stop(), connected?.stop()]);
  await emulator?.stop();
});

/** bigquery_up once the first probe answered (bounded wait). */
async function bigqueryUp(api: ApiProcess): Promise<string | undefined> {
  for (let waited = 0; waited < 10_000; waited += 200) {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const value = /^bigquery_up (\d)$/m.exec(text)?.[1];
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

describe('readiness', () => {
  it('stays ready when BigQuery cannot be reached, and says so in bigquery_up instead', async () => {
    expect(await bigqueryUp(cutOff)).toBe('0');
    const ready = await fetch(`${cutOff.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('reports bigquery_up 1 when the probe answers', async () => {
    expect(await bigqueryUp(connected)).toBe('1');
    expect((await fetch(`${connected.url}/readyz`)).status).toBe(200);
  });
});
