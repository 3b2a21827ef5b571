// The GKE Managed Prometheus rule objects: their spec is files/monitoring/<concern>.yaml, the very files
// monitoring/ checks with promtool, parsed and compared here after a real `helm template`.
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

const ruleObjects = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'Rules' || o.kind === 'GlobalRules');
const objectOf = (objects: K8sObject[], concern: string) => {
  const found = ruleObjects(objects).find((o) => o.metadata.name.endsWith(`${releaseName}-${concern}`));
  if (!found) throw new Error(`no rules object rendered for ${concern}`);
  return found;
};

describe('alerting and recording rules deployed to GKE Managed Prometheus', () => {
  const staging = render('staging');

  it('finds the six rule files (the test is not vacuous)', () => {
    expect(concerns).toEqual(['availability', 'bigquery', 'cache', 'kubernetes', 'latency', 'replica']);
  });

  it('renders one namespaced Rules per file in the release namespace and a cluster-scoped GlobalRules for replica', () => {
    const rendered = ruleObjects(staging).map((o) => [o.kind, o.metadata.name, o.metadata.namespace]);
    const expected = concerns.map((c) =>
      globalConcerns.includes(c)
        ? ['GlobalRules', `${namespaceOf('staging')}-${releaseName}-${c}`, undefined]
        : ['Rules', `${releaseName}-${c}`, namespaceOf('staging')],
    );
    expect(rendered.sort()).toEqual(expected.sort());
    expect(namespaceOf('staging')).toBe('maps-api');
  });

  it.each(concerns)(
    'deploys %s.yaml exactly as promtool tested it: same groups, rules, exprs and annotations',
    (concern) => {
      expect(objectOf(staging, concern).spec).toEqual(fileSpec(concern));
    },
  );

  it('passes alert templates such as {{ $value }} through verbatim (Helm does not evaluate them)', () => {
    const annotationTexts = (spec: Spec) =>
      spec.groups.flatMap((g) =>
        g.rules.flatMap((r) => Object.entries(r.annotations ?? {}).map(([k, t]) => `${r.alert} ${k}: ${t}`)),
      );
    const fromFiles = concerns.flatMap((c) => annotationTexts(fileSpec(c))).filter((t) => t.includes('{{'));
    const rendered = concerns
      .flatMap((c) => annotationTexts(objectOf(staging, c).spec as Spec))
      .filter((t) => t.includes('{{'));
    expect(fromFiles.filter((t) => t.includes('{{ $value')).length).toBeGreaterThan(5);
    expect(rendered.sort()).toEqual(fromFiles.sort());
  });

  it('prefixes every runbook_url with monitoring.runbookBaseUrl when set, and changes nothing else', () => {
    const base = 'https://github.com/example/maps-api/blob/main';
    const objects = render('staging', ['--set', `monitoring.runbookBaseUrl=${base}`]);
    let prefixed = 0;
    for (const concern of concerns) {
      const expected = fileSpec(concern);
      for (const rule of expected.groups.flatMap((g) => g.rules)) {
        if (rule.annotations?.runbook_url) {
          rule.annotations.runbook_url = `${base}/${rule.annotations.runbook_url}`;
          prefixed++;
        }
      }
      expect(objectOf(objects, concern).spec, concern).toEqual(expected);
    }
    expect(prefixed).toBeGreaterThan(10);
  });

  it('deploys rules where metrics are scraped (staging, production) and not in dev', () => {
    expect(ruleObjects(render('production')).length).toBe(concerns.length);
    expect(ruleObjects(render('dev'))).toEqual([]);
  });

  it('refuses rules without PodMonitoring (every absent() alert would fire on metrics never scraped)', () => {
    const result = run('helm', helmTemplateArgs('staging', ['--set', 'monitoring.podMonitoring=false']));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('monitoring.rules needs monitoring.podMonitoring');
  });
});
