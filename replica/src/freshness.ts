// After a successful run, one point of the freshness gauge that monitoring/rules/replica.yaml alerts on
// (MapsReplicaStale, MapsReplicaFreshnessUnknown). Written with the REST transport of the official client, so tests
// drive the exact production code path against a local server (REPLICA_MONITORING_ENDPOINT).
import { MetricServiceClient, type protos } from '@google-cloud/monitoring';
import { ExitCode } from './exit-codes.js';
import { formatRef, type TableRef } from './table-ref.js';

export const FRESHNESS_METRIC = 'custom.googleapis.com/maps/replica_last_success_timestamp_seconds';
/** Metric label naming the stable table; the rules aggregate `by (table)`. */
export const FRESHNESS_TABLE_LABEL = 'table';

export interface FreshnessResult {
  metric: string;
  /** The stable table, `project.dataset.table`. */
  table: string;
  /** Project the point is written to (the destination project), also the `global` resource's project_id. */
  project: string;
  /** The point's value: the run's end in Unix seconds. */
  value: number;
  endTime: string;
  ok: boolean;
  error?: string;
}

/**
 * Cloud Monitoring → PromQL name, as GKE Managed Prometheus maps it: the first `/` becomes `:`, every other
 * character outside [A-Za-z0-9_:] (`.` and later `/` included) becomes `_`.
 */
export function promqlName(metricType: string): string {
  const slash = metricType.indexOf('/');
  const [domain, path] =
    slash < 0 ? [metricType, ''] : [metricType.slice(0, slash), metricType.slice(slash + 1)];
  const clean = (part: string) => part.replace(/[^A-Za-z0-9_]/g, '_');
  return slash < 0 ? clean(domain) : `${clean(domain)}:${clean(path)}`;
}

/** Only real runs that ended well prove freshness: exit 0 (copied, verified, rolled back) or 3 (up to date). */
export function provesFreshness(report: { dryRun: boolean; exitCode: number }): boolean {
  return !report.dryRun && (report.exitCode === ExitCode.OK || report.exitCode === ExitCode.UP_TO_DATE);
}

export function freshnessRequest(
  table: TableRef,
  endMillis: number,
): protos.google.monitoring.v3.ICreateTimeSeriesRequest {
  const seconds = Math.floor(endMillis / 1000);
  return {
    name: `projects/${table.projectId}`,
    timeSeries: [
      {
        metric: { type: FRESHNESS_METRIC, labels: { [FRESHNESS_TABLE_LABEL]: formatRef(table) } },
        resource: { type: 'global', labels: { project_id: table.projectId } },
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        // A gauge point is an instant: end time only.
        points: [
          {
            interval: { endTime: { seconds, nanos: (endMillis % 1000) * 1_000_000 } },
            value: { doubleValue: endMillis / 1000 },
          },
        ],
      },
    ],
  };
}

/**
 * The client on REST (`fallback`), credentials from Application Default Credentials. `projectId` is given so the
 * auth library never looks it up (for Workload Identity Federation that is a Resource Manager call).
 * `endpoint` (e.g. `http://127.0.0.1:9000`) replaces https://monitoring.googleapis.com.
 */
export function monitoringClient(projectId: string, endpoint?: string): MetricServiceClient {
  if (!endpoint) return new MetricServiceClient({ fallback: true, projectId });
  const url = new URL(endpoint);
  const protocol = url.protocol.replace(':', '');
  const port = Number(url.port || (protocol === 'http' ? 80 : 443));
  return new MetricServiceClient({ fallback: true, projectId, protocol, apiEndpoint: url.hostname, port });
}

/**
 * Writes the point to the destination project. Never throws: a failed write (client setup included) is reported,
 * not fatal, since the copy itself succeeded.
 */
export async function reportFreshness(
  table: TableRef,
  endMillis: number,
  endpoint?: string,
): Promise<FreshnessResult> {
  const result = {
    metric: FRESHNESS_METRIC,
    table: formatRef(table),
    project: table.projectId,
    value: endMillis / 1000,
    endTime: new Date(endMillis).toISOString(),
  };
  let client: MetricServiceClient | undefined;
  try {
    client = monitoringClient(table.projectId, endpoint);
    await client.createTimeSeries(freshnessRequest(table, endMillis), { timeout: 30_000 });
    return { ...result, ok: true };
  } catch (error) {
    return { ...result, ok: false, error: (error as Error).message };
  } finally {
    await client?.close().catch(() => undefined);
  }
}
