// The freshness point, written by the real @google-cloud/monitoring client (REST transport, Application Default
// Credentials from an external_account file) to a local Cloud Monitoring front; and its contract with the alert rules.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { protos } from '@google-cloud/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  FRESHNESS_METRIC,
  FRESHNESS_TABLE_LABEL,
  promqlName,
  provesFreshness,
  reportFreshness,
} from '../src/freshness.js';
import { tableRef } from '../src/table-ref.js';
import { startMonitoringTestServer, type MonitoringTestServer } from './monitoring-test-server.js';

let monitoring: MonitoringTestServer;
const savedCredentials = process.env.GOOGLE_APPLICATION_CREDENTIALS;
const stable = tableRef('maps-api-dev', 'maps_replica', 'osm_buildings');

beforeAll(async () => {
  monitoring = await startMonitoringTestServer();
  process.env.GOOGLE_APPLICATION_CREDENTIALS = monitoring.credentialsFile;
});

afterAll(async () => {
  if (savedCredentials === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  else process.env.GOOGLE_APPLICATION_CREDENTIALS = savedCredentials;
  await monitoring?.stop();
});

describe('freshness point', () => {
  it('writes one GAUGE DOUBLE point on `global` of the destination project, labelled with the stable table', async () => {
    const end = Date.UTC(2026, 2, 4, 5, 6, 7, 250);
    const result = await reportFreshness(stable, end, monitoring.endpoint);

    expect(result).toEqual({
      metric: FRESHNESS_METRIC,
      table: 'maps-api-dev.maps_replica.osm_buildings',
      project: 'maps-api-dev',
      value: end / 1000,
      endTime: '2026-03-04T05:06:07.250Z',
      ok: true,
    });
    expect(monitoring.calls).toHaveLength(1);
    const [call] = monitoring.calls;
    expect(call?.project).toBe('maps-api-dev');
    expect(call?.authorization).toBe(`Bearer ${monitoring.accessToken}`);
    expect(call?.body.timeSeries).toEqual([
      {
        metric: {
          type: 'custom.googleapis.com/maps/replica_last_success_timestamp_seconds',
          labels: { table: 'maps-api-dev.maps_replica.osm_buildings' },
        },
        resource: { type: 'global', labels: { project_id: 'maps-api-dev' } },
        // The REST transport sends enums as numbers ($alt=json;enum-encoding=int): the proto's GAUGE and DOUBLE.
        metricKind: protos.google.api.MetricDescriptor.MetricKind.GAUGE,
        valueType: protos.google.api.MetricDescriptor.ValueType.DOUBLE,
        points: [
          { interval: { endTime: '2026-03-04T05:06:07.250Z' }, value: { doubleValue: 1772600767.25 } },
        ],
      },
    ]);
    expect(call?.query).toContain('enum-encoding=int');
  });

  it('reports a refused write instead of throwing', async () => {
    monitoring.denyWrites = true;
    try {
      const result = await reportFreshness(stable, Date.now(), monitoring.endpoint);
      expect(result.ok).toBe(false);
      expect(result.error).toContain('monitoring.timeSeries.create denied');
    } finally {
      monitoring.denyWrites = false;
    }
  });

  it('reports an unreachable endpoint instead of throwing', async () => {
    const result = await reportFreshness(stable, Date.now(), 'http://127.0.0.1:9');
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('counts only real runs that exited 0 or 3', () => {
    expect(provesFreshness({ dryRun: false, exitCode: 0 })).toBe(true);
    expect(provesFreshness({ dryRun: false, exitCode: 3 })).toBe(true);
    expect(provesFreshness({ dryRun: true, exitCode: 0 })).toBe(false);
    for (const exitCode of [1, 2, 4]) expect(provesFreshness({ dryRun: false, exitCode })).toBe(false);
  });
});

describe('contract with the alert rules', () => {
  const root = new URL('../../', import.meta.url);
  // The chart deploys the rule files (GlobalRules); monitoring/rules/ was their earlier home.
  const candidates = ['charts/maps-api/files/monitoring/replica.yaml', 'monitoring/rules/replica.yaml'];

  function replicaRules(): { record?: string; alert?: string; expr: string }[] {
    const path = candidates
      .map((file) => fileURLToPath(new URL(file, root)))
      .find((file) => existsSync(file));
    if (!path) throw new Error(`replica rule file not found at ${candidates.join(' or ')}`);
    const document = parse(readFileSync(path, 'utf8')) as {
      groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
    };
    return document.groups.flatMap((group) => group.rules);
  }

  it('maps the metric type to the PromQL name as GKE Managed Prometheus does', () => {
    expect(promqlName('kubernetes.io/container/cpu/limit_cores')).toBe(
      'kubernetes_io:container_cpu_limit_cores',
    );
    expect(
      promqlName('custom.googleapis.com/opencensus/opencensus.io/http/server/request_count_by_method'),
    ).toBe('custom_googleapis_com:opencensus_opencensus_io_http_server_request_count_by_method');
    expect(promqlName(FRESHNESS_METRIC)).toBe(
      'custom_googleapis_com:maps_replica_last_success_timestamp_seconds',
    );
  });

  it('writes the series both freshness alerts read, with the label they group by', () => {
    const rules = replicaRules();
    const name = promqlName(FRESHNESS_METRIC);
    const reading = rules.filter((rule) => rule.expr.includes(name));
    expect(reading.map((rule) => rule.record ?? rule.alert).sort()).toEqual([
      'MapsReplicaFreshnessUnknown',
      'table:maps_replica_age_seconds:max',
    ]);
    const age = reading.find((rule) => rule.record)?.expr ?? '';
    expect(age).toContain(`by (${FRESHNESS_TABLE_LABEL})`);
    const stale = rules.find((rule) => rule.alert === 'MapsReplicaStale');
    expect(stale?.expr).toContain('table:maps_replica_age_seconds:max');
  });
});
