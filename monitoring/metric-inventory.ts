// Which metrics exist, by the component that exports them, read from each component's own source; and which metrics
// a PromQL expression reads (Prometheus' own grammar, @prometheus-io/lezer-promql, not a regular expression).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { createMetrics } from '../api/src/metrics.js';
import { FRESHNESS_METRIC, promqlName } from '../replica/src/freshness.js';
import { MONITORING_DIR, rules } from './rule-files.js';

/** Every metric name `expr` selects; throws when Prometheus' grammar does not parse it. */
export function metricsReadBy(expr: string): string[] {
  const cursor = parser.parse(expr).cursor();
  const names = new Set<string>();
  do {
    if (cursor.type.isError) throw new Error(`PromQL does not parse at ${cursor.from}: ${expr}`);
    if (cursor.name === 'VectorSelector') {
      const selector = cursor.node;
      const identifier = selector.getChild('Identifier');
      if (!identifier)
        throw new Error(`a selector without a metric name: ${expr.slice(selector.from, selector.to)}`);
      names.add(expr.slice(identifier.from, identifier.to));
    }
  } while (cursor.next());
  return [...names];
}

/** The series names the API's /metrics exposes: its registry (api/src/metrics.ts), read from the exposition text. */
export async function apiMetricNames(): Promise<string[]> {
  const text = await createMetrics().registry.metrics();
  return [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => {
    if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
    if (type === 'summary') return [name!, `${name}_sum`, `${name}_count`];
    return [name!];
  });
}

interface KubeStateMetricsFile {
  source: string;
  components: Record<string, string[]>;
}

/** GKE's managed kube-state-metrics of the enabled monitoring components (gke-kube-state-metrics.yaml). */
export function kubeStateMetricNames(enabledComponents: string[]): string[] {
  const file = parse(
    readFileSync(join(MONITORING_DIR, 'gke-kube-state-metrics.yaml'), 'utf8'),
  ) as KubeStateMetricsFile;
  return enabledComponents.flatMap((component) => file.components[component] ?? []);
}

/** Cloud Monitoring metrics our own code writes, by their PromQL names: the replica job's freshness gauge. */
export const cloudMonitoringMetricNames = () => [promqlName(FRESHNESS_METRIC)];

/** Series GKE Managed Prometheus' rule evaluator records from the chart's Rules (the `record:` rules). */
export const recordedNames = () => rules().flatMap((rule) => (rule.record ? [rule.record] : []));

/** metric => exporting component, for every source. */
export function inventory(sources: Record<string, string[]>): Map<string, string> {
  const byName = new Map<string, string>();
  for (const [component, names] of Object.entries(sources)) {
    for (const name of names) byName.set(name, component);
  }
  return byName;
}

/** `rule (file): metric` for every metric a rule reads that no source exports. */
export function unexported(exported: Map<string, string>): string[] {
  return rules().flatMap((rule) =>
    metricsReadBy(rule.expr)
      .filter((name) => !exported.has(name))
      .map((name) => `${rule.alert ?? rule.record} (${rule.file.split('/').pop()}): ${name}`),
  );
}
