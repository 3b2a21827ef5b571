// Pure rules: identifier validation, schema equality, version names and pruning, read instant, labels.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/src/config.js';
import { serviceTarget } from '../src/cache-target.js';
import { copyJobBaseId } from '../src/jobs.js';
import { DEFAULT_SETTLE_MS } from '../src/options.js';
import { labelValue, recordsSnapshot, replicaLabels } from '../src/labels.js';
import { MAX_WAIT_MS, readInstantFor, waitUntilPast } from '../src/read-instant.js';
import { schemaDifferences } from '../src/schema.js';
import { parseTableRef } from '../src/table-ref.js';
import { versionName, versionsToPrune } from '../src/versions.js';

describe('replica rules', () => {
  it('refuses table names that could inject SQL', () => {
    expect(() => parseTableRef('p-1.d.t` WHERE 1=1 --')).toThrow(/invalid table id/);
    expect(() => parseTableRef('only.two')).toThrow(/project.dataset.table/);
    expect(parseTableRef('carto-demo-data.demo_tilesets.osm_buildings').tableId).toBe('osm_buildings');
  });

  it('treats legacy and standard type names as the same type, and names the differing column', () => {
    expect(
      schemaDifferences([{ name: 'z', type: 'INTEGER' }], [{ name: 'z', type: 'INT64', mode: 'NULLABLE' }]),
    ).toEqual([]);
    expect(schemaDifferences([{ name: 'z', type: 'INT64' }], [{ name: 'z', type: 'STRING' }])).toEqual([
      'column 1: expected z INT64 NULLABLE, found z STRING NULLABLE',
    ]);
  });

  it('names versions by the UTC millisecond of the source snapshot and never prunes the current one', () => {
    expect(versionName('osm_buildings', Date.UTC(2026, 10, 27, 9, 5, 7, 123))).toBe(
      'osm_buildings_v20261127090507123',
    );
    // two source states within one second are two versions, never one overwritten by the other
    expect(versionName('t', Date.UTC(2026, 0, 1, 0, 0, 0, 100))).not.toBe(
      versionName('t', Date.UTC(2026, 0, 1, 0, 0, 0, 600)),
    );
    // names from before the milliseconds sort in time order with the new ones
    const mixed = ['t_v20260101000001', 't_v20260101000000999', 't_v20260101000000', 't_v20260101000001001'];
    expect([...mixed].sort()).toEqual([
      't_v20260101000000',
      't_v20260101000000999',
      't_v20260101000001',
      't_v20260101000001001',
    ]);
    const versions = ['t_v20260101000000', 't_v20260102000000', 't_v20260103000000', 't_v20260104000000'];
    expect(versionsToPrune(versions, 2, 't_v20260104000000')).toEqual([
      't_v20260102000000',
      't_v20260101000000',
    ]);
    expect(versionsToPrune(versions, 1, 't_v20260103000000')).toEqual([
      't_v20260102000000',
      't_v20260101000000',
    ]);
  });

  it('reads one second after the last modification (covering a commit later in that millisecond), or a recent instant once that left time travel', () => {
    const now = Date.UTC(2026, 10, 27);
    const week = 168 * 3_600_000;
    expect(readInstantFor(now - 3_600_000, now, week)).toBe(now - 3_600_000 + 1000);
    expect(readInstantFor(now - 100 * 3_600_000, now, week)).toBe(now - 100 * 3_600_000 + 1000);
    expect(readInstantFor(now - 170 * 3_600_000, now, week)).toBe(now - 60_000);
    expect(readInstantFor(now - 50 * 3_600_000, now, 48 * 3_600_000)).toBe(now - 60_000);
  });

  it('waits until the read instant has passed, and refuses to wait on a clock far behind', async () => {
    let now = 1_000_000;
    const slept: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    };
    await waitUntilPast(now - 5, clock);
    expect(slept).toEqual([]);
    const instant = now + 700;
    await waitUntilPast(instant, clock);
    expect(slept).toEqual([701]);
    expect(now).toBeGreaterThan(instant);
    await expect(waitUntilPast(now + MAX_WAIT_MS + 1, clock)).rejects.toThrow(
      /ahead of this machine's clock/,
    );
    expect(slept).toHaveLength(1);
  });

  it('derives the same job id for the same copy and another for another source state', () => {
    const request = {
      kind: 'copy' as const,
      source: parseTableRef('a-1.d.s'),
      destination: parseTableRef('b-1.d.t'),
      writeDisposition: 'WRITE_TRUNCATE' as const,
      location: 'US',
      identity: '1000:none',
    };
    expect(copyJobBaseId({ ...request, sourceTime: 1 })).toBe(copyJobBaseId({ ...request, sourceTime: 2 }));
    expect(copyJobBaseId(request)).not.toBe(copyJobBaseId({ ...request, identity: '2000:none' }));
    expect(copyJobBaseId(request)).toMatch(/^replica_copy_[0-9a-f]{24}$/);
  });

  it('keeps label values within BigQuery rules and recognises the recorded snapshot', () => {
    const source = parseTableRef('carto-demo-data.demo_tilesets.osm_buildings');
    const labels = replicaLabels({
      source,
      snapshot: 1700000000000,
      readAt: 1700000001000,
      copiedAt: 1700000001000,
      version: 'T_v1',
      carried: { labels: {}, description: '' },
    });
    for (const value of Object.values(labels)) expect(value).toMatch(/^[a-z0-9_-]{0,63}$/);
    expect(labelValue('X'.repeat(100))).toHaveLength(63);
    expect(recordsSnapshot(labels, source, 1700000000000)).toBe(true);
    expect(recordsSnapshot(labels, source, 1700000000001)).toBe(false);
  });
});

describe('the invalidate step', () => {
  it("waits by default one second longer than the API caches a table's metadata (so every pod reports the new version)", () => {
    const api = loadConfig({});
    expect(DEFAULT_SETTLE_MS).toBe(api.TABLE_METADATA_TTL_MS + 1000);
  });

  it('reaches a Service as namespace/service[:port] (8080 by default) and refuses anything else', () => {
    expect(serviceTarget('maps-api/maps-api-varnish')).toEqual({
      kind: 'kubernetes',
      namespace: 'maps-api',
      service: 'maps-api-varnish',
      port: 8080,
    });
    expect(serviceTarget('ns/svc:9000')).toMatchObject({ port: 9000 });
    for (const bad of ['maps-api-varnish', 'ns/svc/x', 'NS/svc', 'ns/svc:99999', 'ns/svc;rm'])
      expect(() => serviceTarget(bad)).toThrow(/namespace\/service/);
  });
});
