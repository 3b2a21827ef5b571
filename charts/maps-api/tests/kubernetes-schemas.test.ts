import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  chartDir,
  environmentNames,
  kubernetesVersion,
  parseObjects,
  renderText,
  run,
  type K8sObject,
} from './chart.js';

// Schemas generated at install time (tools/install.d/31-k8s-schemas.sh) for the targeted GKE Kubernetes version;
// the CRD schema is kept in the repo. Nothing is downloaded here: kubeconform gets only local schema locations.
const version = kubernetesVersion;
const schemaDir = join(process.env.MAPS_TOOLS_DIR ?? '', 'kubernetes-schemas', version);
const locations = [
  `${schemaDir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
  `${chartDir}/tests/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
];

type Summary = { valid: number; invalid: number; errors: number; skipped: number };
type Report = { resources: { kind: string; name: string; status: string; msg: string }[]; summary: Summary };

function kubeconform(manifests: string): Report {
  if (!existsSync(join(schemaDir, 'deployment-apps-v1.json'))) {
    throw new Error(`no Kubernetes ${version} schemas in ${schemaDir}: run tools/install.sh 31-k8s-schemas`);
  }
  const args = ['-strict', '-summary', '-output', 'json', '-verbose'];
  for (const location of locations) args.push('-schema-location', location);
  const result = run('kubeconform', args, manifests);
  if (result.stdout.trim() === '') throw new Error(`kubeconform printed nothing: ${result.stderr}`);
  return JSON.parse(result.stdout) as Report;
}

const countDocuments = (text: string) => text.split(/^---$/m).filter((d) => /^kind:/m.test(d)).length;

describe(`rendered objects against the Kubernetes ${version} OpenAPI schemas (strict)`, () => {
  it.each(environmentNames)(
    'validates every object of %s, with every optional object switched on',
    (environment) => {
      const manifests = renderText(environment, [
        '--set',
        'api.autoscaling.enabled=true',
        '--set',
        'monitoring.podMonitoring=true',
        '--set',
        'monitoring.rules=true',
        '--set',
        'ingress.tlsSecretName=maps-api-tls',
        '--set',
        'varnish.purgers={10.8.0.0/14}',
      ]);
      const report = kubeconform(manifests);
      const failures = report.resources.filter((r) => r.status !== 'statusValid');
      expect(failures).toEqual([]);
      expect(report.summary.skipped).toBe(0);
      expect(report.summary.valid).toBe(countDocuments(manifests));
      const kinds = new Set(report.resources.map((r) => r.kind));
      for (const kind of [
        'Deployment',
        'HorizontalPodAutoscaler',
        'PodMonitoring',
        'Rules',
        'GlobalRules',
        'NetworkPolicy',
        'Ingress',
        'BackendConfig',
        'FrontendConfig',
        'Pod',
      ]) {
        expect(kinds, kind).toContain(kind);
      }
    },
  );

  it('rejects an object with a field Kubernetes does not know (the validator really reads the schemas)', () => {
    const manifests = renderText('dev').replace(
      'revisionHistoryLimit: 5',
      'revisionHistoryLimit: 5\n  replicaz: 5',
    );
    const report = kubeconform(manifests);
    const invalid = report.resources.filter((r) => r.status === 'statusInvalid');
    expect(invalid.map((r) => r.kind)).toEqual(['Deployment']);
    expect(invalid[0]!.msg).toContain('replicaz');
  });

  it('rejects a PodMonitoring endpoint without an interval (the CRD schema is enforced too)', () => {
    const manifests = renderText('staging').replace(/\n {6}interval: 30s/g, '');
    const report = kubeconform(manifests);
    expect(report.resources.filter((r) => r.status === 'statusInvalid').map((r) => r.kind)).toEqual([
      'PodMonitoring',
      'PodMonitoring',
    ]);
  });

  // One object of a staging render is broken; kubeconform must name exactly that one (Rules/GlobalRules schemas
  // in tests/schemas/ are hand-written from the GMP CRDs; BackendConfig/FrontendConfig ones generated from the GKE
  // Ingress CRDs the rehearsal installs).
  const brokenRules: [string, string, (o: K8sObject) => void][] = [
    [
      'an alert `for` given as a number',
      'Rules/maps-api-cache',
      (o) => (o.spec.groups[0].rules[0] = { alert: 'X', expr: 'vector(1)', for: 120 }),
    ],
    [
      'a label value given as a number',
      'Rules/maps-api-latency',
      (o) => (o.spec.groups[0].rules[0].labels = { severity: 2 }),
    ],
    [
      'a group without its evaluation interval',
      'Rules/maps-api-bigquery',
      (o) => delete o.spec.groups[0].interval,
    ],
    [
      'a duration Go cannot parse (1d)',
      'GlobalRules/maps-api-maps-api-replica',
      (o) => (o.spec.groups[0].interval = '1d'),
    ],
    [
      'a rule both recording and alerting',
      'Rules/maps-api-cache',
      (o) => (o.spec.groups[0].rules[0].alert = 'X'),
    ],
    [
      'a namespace on the cluster-scoped GlobalRules',
      'GlobalRules/maps-api-maps-api-replica',
      (o) => (o.metadata.namespace = 'maps-api'),
    ],
    ['Rules without a namespace', 'Rules/maps-api-latency', (o) => delete o.metadata.namespace],
    [
      'a BackendConfig field GKE does not know',
      'BackendConfig/maps-api-varnish',
      (o) => (o.spec.securityPolicies = [o.spec.securityPolicy]),
    ],
    [
      'an HTTPS redirect without `enabled`',
      'FrontendConfig/maps-api',
      (o) => delete o.spec.redirectToHttps.enabled,
    ],
    [
      'a redirect code GKE does not offer',
      'FrontendConfig/maps-api',
      (o) => (o.spec.redirectToHttps.responseCodeName = 'MOVED_PERMANENTLY'),
    ],
  ];
  it.each(brokenRules)('rejects %s', (_what, target, breakIt) => {
    const objects = parseObjects(renderText('staging'));
    const object = objects.find((o) => `${o.kind}/${o.metadata.name}` === target);
    if (!object) throw new Error(`${target} not rendered`);
    breakIt(object);
    const report = kubeconform(objects.map((o) => stringify(o)).join('---\n'));
    const invalid = report.resources.filter((r) => r.status === 'statusInvalid');
    expect(invalid.map((r) => `${r.kind}/${r.name}`)).toEqual([target]);
    expect(report.summary.valid).toBe(objects.length - 1);
  });
});
