// Every environment draws the whole map: the tables the viewer's two layers read are served in every environment,
// the tileset from that environment's verified replica, the GeoJSON table from its source (the decision and its caps:
// values-<env>.yaml), both under the same public ids the viewer (and any web map) uses everywhere.
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { TABLE, TILESET } from './src/tables.js';

const root = new URL('../', import.meta.url);
const facts = JSON.parse(readFileSync(new URL('environments.json', root), 'utf8')) as {
  environments: Record<string, { gcpProject: string }>;
  replica: { source: string; dataset: string; table: string };
};
type Values = {
  api?: { config?: { servedTables?: { id: string; backing?: string }[]; maxJsonResponseSize?: number } };
};
const values = (file: string) =>
  (load(readFileSync(new URL(`charts/maps-api/${file}`, root), 'utf8')) ?? {}) as Values;

describe('every environment serves both layers of the map', () => {
  it.each(Object.keys(facts.environments))('%s', (env) => {
    const own = values(`values-${env}.yaml`).api?.config ?? {};
    const served = new Map((own.servedTables ?? []).map((t) => [t.id, t.backing]));
    const replica = `${facts.environments[env]!.gcpProject}.${facts.replica.dataset}.${facts.replica.table}`;
    expect(TILESET).toBe(facts.replica.source);
    expect(served.get(TILESET), `${env} serves the tileset from its replica`).toBe(replica);
    expect(served.has(TABLE), `${env} serves the stores table`).toBe(true);
    // From its source (no backing) under the response cap every answer has.
    expect(served.get(TABLE)).toBeUndefined();
    expect(own.maxJsonResponseSize ?? values('values.yaml').api?.config?.maxJsonResponseSize).toBeGreaterThan(
      0,
    );
  });
});
