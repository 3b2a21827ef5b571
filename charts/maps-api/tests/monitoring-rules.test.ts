// The GKE Managed Prometheus rule objects: their spec is the recording rules of files/monitoring/<concern>.yaml, the
// very files monitoring/ checks with promtool, parsed and compared here after a real `helm template`. The alerting
// rules of those files are Cloud Monitoring policies (terraform/modules/alerting), never rendered here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  chartDir,
  helmTemplateArgs,
  namespaceOf,
  render,
  releaseName,
  run,
  type K8sObject,
} from './chart.js';

const rulesDir = join(chartDir, 'files', 'monitoring');
const concerns = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();
// Rules on Cloud Monitoring metrics (custom.googleapis.com) must be GlobalRules; see monitoring/README.md.
const globalConcerns = ['replica'];

type Rule = { alert?: string; record?: string; annotations?: Record<string, string> };
type Spec = { groups: { name: string; rules: Rule[] }[] };
const fileSpec = (concern: string) => parse(readFileSync(join(rulesDir, `${concern}.yaml`), 'utf8')) as Spec;
/** The file's groups with only their recording rules; groups without any left out. */
const recordingSpec = (concern: string): Spec => ({
  groups: fileSpec(concern)
    .groups.map((g) => ({ ...g, rules: g.rules.filter((r) => r.record !== undefined) }))
    .filter((g) => g.rules.length > 0),
});
const recordingConcerns = concerns.filter((c) => recordingSpec(c).groups.length > 0);

const ruleObjects = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Rules' || o.kind === 'GlobalRules');
const objectOf = (objects: K8sObject[], concern: string) => {
  const found = ruleObjects(objects).find((o) => o.metadata.name.endsWith(`${releaseName}-${concern}`));
  if (!found) throw new Error(`no rules object rendered for ${concern}`);
  return found;
};

describe('recording rules deployed to GKE Managed Prometheus', () => {
  const staging = render('staging');

  it('finds the six rule files, five with recording rules (the test is not vacuous)', () => {
    expect(concerns).toEqual(['availability', 'bigquery', 'cache', 'kubernetes', 'latency', 'replica']);
    expect(recordingConcerns).toEqual(['availability', 'bigquery', 'cache', 'latency', 'replica']);
  });

  it('renders one namespaced Rules per file with recording rules and a cluster-scoped GlobalRules for replica', () => {
    const rendered = ruleObjects(staging).map((o) => [o.kind, o.metadata.name, o.metadata.namespace]);
    const expected = recordingConcerns.map((c) =>
      globalConcerns.includes(c)
        ? ['GlobalRules', `${namespaceOf('staging')}-${releaseName}-${c}`, undefined]
        : ['Rules', `${releaseName}-${c}`, namespaceOf('staging')],
    );
    expect(rendered.sort()).toEqual(expected.sort());
    expect(namespaceOf('staging')).toBe('maps-api');
  });

  it.each(recordingConcerns)(
    'deploys the recording rules of %s.yaml exactly as promtool tested them: same groups, intervals, names and exprs',
    (concern) => {
      expect(objectOf(staging, concern).spec).toEqual(recordingSpec(concern));
    },
  );

  it('renders no alerting rule: alerts notify people through Cloud Monitoring policies, not from the cluster', () => {
    const rendered = ruleObjects(render('production')).flatMap((o) =>
      (o.spec as Spec).groups.flatMap((g) => g.rules),
    );
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.filter((r) => r.alert !== undefined)).toEqual([]);
    expect(concerns.flatMap((c) => fileSpec(c).groups.flatMap((g) => g.rules)).some((r) => r.alert)).toBe(
      true,
    );
  });

  it('deploys rules where metrics are scraped (staging, production) and not in dev', () => {
    expect(ruleObjects(render('production')).length).toBe(recordingConcerns.length);
    expect(ruleObjects(render('dev'))).toEqual([]);
  });

  it('refuses rules without PodMonitoring (the recording rules would read metrics never scraped)', () => {
    const result = run('helm', helmTemplateArgs('staging', ['--set', 'monitoring.podMonitoring=false']));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('monitoring.rules needs monitoring.podMonitoring');
  });
});
