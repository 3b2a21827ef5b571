import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboard, dashboardQueries, metricNames } from './dashboard.js';
import { promtool } from './promtool.js';
import { rules } from './rule-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-promql-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** promtool has no offline "parse this query" command; a recording rule per query makes check rules parse it. */
async function checkQueries(queries: string[], name: string) {
  const file = join(dir, `${name}.yaml`);
  const asRules = queries.map((expr, i) => ({ record: `dashboard:query_${i}`, expr }));
  await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
  return promtool(['check', 'rules', file], dir);
}

describe('Cloud Monitoring dashboard (monitoring/dashboards/maps-api.json)', () => {
  it('is a mosaic layout whose tiles each hold PromQL charts, within 48 columns and without overlapping', () => {
    const board = dashboard();
    expect(board.displayName).toBe('maps-api');
    expect(board.mosaicLayout.columns).toBe(48);
    const cells = new Set<string>();
    for (const tile of board.mosaicLayout.tiles) {
      const [x, y] = [tile.xPos ?? 0, tile.yPos ?? 0];
      expect(x + tile.width, tile.widget.title).toBeLessThanOrEqual(48);
      expect(tile.widget.xyChart.dataSets.length, tile.widget.title).toBeGreaterThan(0);
      for (let i = x; i < x + tile.width; i++)
        for (let j = y; j < y + tile.height; j++) {
          expect(cells.has(`${i},${j}`), `${tile.widget.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });

  it('charts request rate, error ratio, p95 latency, cache hit ratio, BigQuery bytes and errors, replica age', () => {
    const read = new Set(dashboardQueries().flatMap(metricNames));
    for (const name of [
      'varnish_main_client_req',
      'maps:edge_error_ratio:rate5m',
      'route:http_request_duration_seconds:p95_5m',
      'maps:varnish_cache_hit_ratio:rate30m',
      'bigquery_bytes_processed_total',
      'bigquery_errors_total',
      'custom_googleapis_com:maps_replica_last_success_timestamp_seconds',
    ]) {
      expect(read, name).toContain(name);
    }
  });

  it('every PromQL query parses (promtool check rules on a generated rule file)', async () => {
    const queries = dashboardQueries();
    const { code, output } = await checkQueries(queries, 'dashboard');
    expect(code, output).toBe(0);
    expect(output).toMatch(new RegExp(`${queries.length} rules found`));
  });

  it('the same check rejects a query that does not parse', async () => {
    const { code, output } = await checkQueries(['sum(rate(varnish_main_client_req[5m])'], 'broken');
    expect(code).not.toBe(0);
    expect(output).toMatch(/unclosed|parse error|unexpected/i);
  });

  it('every recording rule the dashboard reads is defined in the rule files', () => {
    const recorded = new Set(rules().flatMap((rule) => (rule.record ? [rule.record] : [])));
    const used = dashboardQueries()
      .flatMap(metricNames)
      .filter(
        (name) => /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/.test(name) && !name.startsWith('custom_googleapis_com:'),
      );
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(recorded, name).toContain(name);
  });
});
