import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiName, environmentNames, find, render, repoRoot, varnishName } from './chart.js';

const selector = (component: string) => ({
  'app.kubernetes.io/name': 'maps-api',
  'app.kubernetes.io/instance': 'maps-api',
  'app.kubernetes.io/component': component,
});

const dns = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};

/** terraform/modules/environment's default `network` ranges: the chart's clusterCidrs must name the same ones. */
function terraformNetworkDefaults(): Record<string, string> {
  const variables = readFileSync(join(repoRoot, 'terraform/modules/environment/variables.tf'), 'utf8');
  const block = /variable "network" \{[\s\S]*?default = \{([\s\S]*?)\}/.exec(variables)?.[1] ?? '';
  return Object.fromEntries([...block.matchAll(/(\w+)_cidr\s*=\s*"([^"]+)"/g)].map((m) => [m[1], m[2]]));
}

describe.each(environmentNames)('network exposure in %s', (environment) => {
  const objects = render(environment, ['--set', 'varnish.purgers={10.8.0.0/14}']);

  it('lets only Varnish and the metrics scrapers reach the API', () => {
    const policy = find(objects, 'NetworkPolicy', apiName);
    expect(policy.spec.podSelector.matchLabels).toEqual(selector('api'));
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: selector('varnish') } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gmp-system' } } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
  });

  it('lets the load balancer, the purgers and the helm test reach Varnish, and the scrapers its exporter', () => {
    const policy = find(objects, 'NetworkPolicy', varnishName);
    expect(policy.spec.podSelector.matchLabels).toEqual(selector('varnish'));
    const [http, metrics] = policy.spec.ingress;
    expect(http.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(http.from).toEqual([
      { ipBlock: { cidr: '130.211.0.0/22' } },
      { ipBlock: { cidr: '35.191.0.0/16' } },
      { ipBlock: { cidr: '10.8.0.0/14' } },
      { podSelector: { matchLabels: selector('test') } },
    ]);
    expect(metrics.ports).toEqual([{ port: 'metrics', protocol: 'TCP' }]);
    const testPod = find(objects, 'Pod', 'maps-api-test-cache');
    expect(testPod.metadata.labels).toMatchObject(selector('test'));
  });

  it('lets the API reach only DNS, the GKE metadata server and HTTPS outside the cluster', () => {
    const policy = find(objects, 'NetworkPolicy', apiName);
    const ranges = terraformNetworkDefaults();
    expect(Object.keys(ranges).sort()).toEqual(['control_plane', 'nodes', 'pods', 'services']);
    const [dnsRule, metadata80, metadata988, https, ...more] = policy.spec.egress;
    expect(more).toEqual([]);
    expect(dnsRule).toEqual(dns);
    expect(metadata80).toEqual({
      to: [{ ipBlock: { cidr: '169.254.169.254/32' } }],
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 8080, protocol: 'TCP' },
      ],
    });
    expect(metadata988).toEqual({
      to: [{ ipBlock: { cidr: '169.254.169.252/32' } }],
      ports: [
        { port: 987, protocol: 'TCP' },
        { port: 988, protocol: 'TCP' },
      ],
    });
    expect(https.ports).toEqual([{ port: 443, protocol: 'TCP' }]);
    expect(https.to).toHaveLength(1);
    expect(https.to[0].ipBlock.cidr).toBe('0.0.0.0/0');
    expect([...https.to[0].ipBlock.except].sort()).toEqual(Object.values(ranges).sort());
  });

  it('lets Varnish reach only the API pods and DNS', () => {
    const policy = find(objects, 'NetworkPolicy', varnishName);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: selector('api') } }], ports: [{ port: 'http', protocol: 'TCP' }] },
      dns,
    ]);
  });

  it('lets the helm test pod reach only Varnish (and DNS for its Service name), and nothing reach it', () => {
    const policy = find(objects, 'NetworkPolicy', 'maps-api-test');
    expect(policy.spec.podSelector.matchLabels).toEqual(selector('test'));
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress).toBeUndefined();
    expect(policy.spec.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: selector('varnish') } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
      dns,
    ]);
  });

  it('puts every pod it renders under an ingress and an egress policy', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const podLabels = objects.flatMap((o) =>
      o.kind === 'Pod' ? [o.metadata.labels] : o.spec?.template ? [o.spec.template.metadata.labels] : [],
    );
    expect(podLabels.length).toBe(3);
    for (const labels of podLabels) {
      const covering = policies.filter((p) =>
        Object.entries(p.spec.podSelector.matchLabels as Record<string, string>).every(
          ([k, v]) => labels[k] === v,
        ),
      );
      expect(covering.flatMap((p) => p.spec.policyTypes).sort(), JSON.stringify(labels)).toEqual([
        'Egress',
        'Ingress',
      ]);
    }
  });

  it('exposes Varnish, and only Varnish, through the Ingress', () => {
    const ingresses = objects.filter((o) => o.kind === 'Ingress');
    expect(ingresses.length).toBe(1);
    const backends = ingresses[0]!.spec.rules.flatMap((r: { http: { paths: { backend: unknown }[] } }) =>
      r.http.paths.map((p) => p.backend),
    );
    expect(backends).toEqual([{ service: { name: varnishName, port: { name: 'http' } } }]);
    expect(ingresses[0]!.metadata.annotations['kubernetes.io/ingress.class']).toBe('gce');
    expect(find(objects, 'Service', varnishName).metadata.annotations['cloud.google.com/neg']).toBe(
      '{"ingress": true}',
    );
    const loadBalancers = objects.filter((o) => o.kind === 'Service' && o.spec.type !== 'ClusterIP');
    expect(loadBalancers).toEqual([]);
  });

  it('scrapes the API and the Varnish exporter with PodMonitoring only when enabled', () => {
    const monitored = render(environment, ['--set', 'monitoring.podMonitoring=true']).filter(
      (o) => o.kind === 'PodMonitoring',
    );
    expect(monitored.map((m) => [m.metadata.name, m.spec.endpoints[0].port])).toEqual([
      [apiName, 'http'],
      [varnishName, 'metrics'],
    ]);
    const off = render(environment, [
      '--set',
      'monitoring.podMonitoring=false',
      '--set',
      'monitoring.rules=false',
    ]);
    expect(off.filter((o) => o.kind === 'PodMonitoring')).toEqual([]);
  });
});
