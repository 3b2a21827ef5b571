import { describe, expect, it } from 'vitest';
import { apiName, environmentNames, find, render, varnishName } from './chart.js';

const selector = (component: string) => ({
  'app.kubernetes.io/name': 'maps-api',
  'app.kubernetes.io/instance': 'maps-api',
  'app.kubernetes.io/component': component,
});

describe.each(environmentNames)('network exposure in %s', (environment) => {
  const objects = render(environment, ['--set', 'varnish.purgers={10.8.0.0/14}']);

  it('lets only Varnish and the metrics scrapers reach the API', () => {
    const policy = find(objects, 'NetworkPolicy', apiName);
    expect(policy.spec.podSelector.matchLabels).toEqual(selector('api'));
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
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
