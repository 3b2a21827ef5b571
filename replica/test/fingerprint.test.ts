// The verification SQL on the real emulator (GoogleSQL on DuckDB): FARM_FINGERPRINT, TO_JSON_STRING, BIT_XOR,
// SUM as BIGNUMERIC and time travel (FOR SYSTEM_TIME AS OF), on real tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTable,
  emulatorClient,
  startEmulator,
  TILESET_SCHEMA,
  type Emulator,
} from '@maps-api/emulator';
import type { BigQuery } from '@google-cloud/bigquery';
import { computeFingerprints } from '../src/fingerprint.js';
import { parseTableRef } from '../src/table-ref.js';
import { verifyCopy } from '../src/verify.js';
import { tileRows } from './harness.js';

let emulator: Emulator;
let bigquery: BigQuery;

beforeAll(async () => {
  emulator = await startEmulator();
  bigquery = emulatorClient(emulator.host, 'maps-api-dev');
});

afterAll(async () => {
  await emulator?.stop();
});

const ref = (name: string) => parseTableRef(`maps-api-dev.fingerprints.${name}`);

async function table(name: string, rows: Record<string, unknown>[]) {
  await createTable(bigquery, `maps-api-dev.fingerprints.${name}`, TILESET_SCHEMA, rows);
  return ref(name);
}

describe('verification fingerprints on the emulator', () => {
  it('are equal for an exact copy and both change when one row changes', async () => {
    const rows = tileRows(8);
    const original = await table('original', rows);
    const copy = await table('copy', [...rows].reverse());
    const changed = await table(
      'changed',
      rows.map((row, i) => (i === 3 ? { ...row, carto_partition: 42 } : row)),
    );

    const { fingerprints } = await computeFingerprints(
      bigquery,
      [{ table: original }, { table: copy }, { table: changed }],
      'US',
    );
    const [a, b, c] = fingerprints;
    expect(a!.rowCount).toBe('8');
    expect(a!.xorFingerprint).toMatch(/^-?\d+$/);
    expect(a!.sumFingerprint).toMatch(/^-?\d+$/);
    expect(b).toEqual(a);
    expect(c!.rowCount).toBe('8');
    expect(c!.xorFingerprint).not.toBe(a!.xorFingerprint);
    expect(c!.sumFingerprint).not.toBe(a!.sumFingerprint);
  });

  it('the sum fingerprint catches a duplicated-row pair swapped for another, which BIT_XOR cannot see', async () => {
    const [r1, r2, r3, r4] = tileRows(4);
    const left = await table('pairs_left', [r1!, r2!, r3!, r3!]);
    const right = await table('pairs_right', [r1!, r2!, r4!, r4!]);
    const { fingerprints } = await computeFingerprints(bigquery, [{ table: left }, { table: right }], 'US');
    const [a, b] = fingerprints;
    expect(b!.rowCount).toBe(a!.rowCount);
    // x ^ x = 0: both tables XOR to fingerprint(r1) ^ fingerprint(r2).
    expect(b!.xorFingerprint).toBe(a!.xorFingerprint);
    expect(b!.sumFingerprint).not.toBe(a!.sumFingerprint);

    const shape = { schema: TILESET_SCHEMA, layout: {} };
    const verification = await verifyCopy(
      bigquery,
      { table: left, ...shape },
      { table: right, ...shape, labels: {}, description: '' },
      'US',
    );
    expect(verification.ok).toBe(false);
    expect(verification.mismatches).toEqual(['sum fingerprint']);
  });

  it('read as of an instant, a table ignores the rows inserted after it (time travel)', async () => {
    const growing = await table('growing', tileRows(5));
    const { fingerprints: before } = await computeFingerprints(bigquery, [{ table: growing }], 'US');
    const instant = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await bigquery.dataset('fingerprints').table('growing').insert(tileRows(2, 10));

    const { fingerprints } = await computeFingerprints(
      bigquery,
      [{ table: growing, asOf: instant }, { table: growing }],
      'US',
    );
    expect(fingerprints[0]).toEqual(before[0]);
    expect(fingerprints[1]!.rowCount).toBe('7');
  });
});
