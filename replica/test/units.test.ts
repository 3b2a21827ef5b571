// Pure rules: identifier validation, schema equality, version names and pruning, read time, labels.
import { describe, expect, it } from 'vitest';
import { copyJobBaseId } from '../src/jobs.js';
import { labelValue, recordsSnapshot, replicaLabels } from '../src/labels.js';
import { readTimeFor } from '../src/replicate.js';
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

  it('names versions by the UTC second of the source snapshot and never prunes the current one', () => {
    expect(versionName('osm_buildings', Date.UTC(2026, 10, 27, 9, 5, 7, 123))).toBe(
      'osm_buildings_v20261127090507',
    );
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

  it('reads at the snapshot unless it is older than the shortest time-travel window', () => {
    const now = Date.UTC(2026, 10, 27);
    expect(readTimeFor(now - 3_600_000, now)).toBe(now - 3_600_000);
    expect(readTimeFor(now - 50 * 3_600_000, now)).toBe(now - 60_000);
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
      copiedAt: 1700000001000,
      version: 'T_v1',
    });
    for (const value of Object.values(labels)) expect(value).toMatch(/^[a-z0-9_-]{0,63}$/);
    expect(labelValue('X'.repeat(100))).toHaveLength(63);
    expect(recordsSnapshot(labels, source, 1700000000000)).toBe(true);
    expect(recordsSnapshot(labels, source, 1700000000001)).toBe(false);
  });
});
