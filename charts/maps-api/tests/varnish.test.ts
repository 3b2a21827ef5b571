import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiName, chartDir, environmentNames, find, render, varnishName } from './chart.js';

const vclDir = join(chartDir, 'files', 'vcl');
const vclFiles = readdirSync(vclDir).filter((f) => f.endsWith('.vcl'));

/** The storage formula documented in values.yaml (varnish.storage). */
function expectedStorage(limitMi: number, overheadMi: number): { malloc: number; transient: number } {
  const usable = limitMi - overheadMi;
  return { malloc: Math.floor((usable * 75) / 100), transient: Math.floor((usable * 10) / 100) };
}

const memory = { dev: [512, 128], staging: [1024, 128], production: [4096, 256] } as Record<
  string,
  [number, number]
>;

describe.each(environmentNames)('Varnish in %s', (environment) => {
  const objects = render(environment);
  const deployment = find(objects, 'Deployment', varnishName);
  const pod = deployment.spec.template.spec;
  const [varnish, exporter] = pod.containers;
  const configMap = find(objects, 'ConfigMap', `${varnishName}-vcl`);

  it('runs exactly one pod, replaced only after its successor is ready', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it('ships the VCL files byte-for-byte in its ConfigMap, plus the rendered site entry file', () => {
    expect(vclFiles).toContain('policy.vcl');
    expect(Object.keys(configMap.data).sort()).toEqual([...vclFiles, 'site.vcl'].sort());
    for (const file of vclFiles) {
      expect(Buffer.from(configMap.data[file], 'utf8').equals(readFileSync(join(vclDir, file))), file).toBe(
        true,
      );
    }
  });

  it('points the site VCL at the API ClusterIP Service with the healthz probe, then includes the policy', () => {
    const site = configMap.data['site.vcl'] as string;
    expect(site.startsWith('vcl 4.1;')).toBe(true);
    expect(site).toContain(`.host = "${apiName}";`);
    expect(site).toContain('.port = "3000";');
    expect(site).toContain('.probe = healthz;');
    expect(site).toContain('.connect_timeout = 1s;');
    expect(site.indexOf('probe healthz {')).toBeLessThan(site.indexOf('backend api_0'));
    expect(site.indexOf('set req.backend_hint = api.backend();')).toBeLessThan(
      site.indexOf('include "policy.vcl";'),
    );
    expect(find(objects, 'Service', apiName).spec.clusterIP).not.toBe('None');
  });

  it('marks the Service sick only when no probe of the last 5 reached a pod (each probe draws one random pod)', () => {
    const probe = /probe healthz \{([^}]*)\}/.exec(configMap.data['site.vcl'] as string)?.[1] ?? '';
    expect(probe).toContain('.url = "/healthz";');
    expect(probe).toContain('.window = 5;');
    expect(probe).toContain('.threshold = 1;');
    expect(probe).toContain('.initial = 1;');
  });

  it('runs varnishd on 8080 with the site file, the VCL path and storage sized from the memory limit', () => {
    const [limit, overhead] = memory[environment]!;
    const { malloc, transient } = expectedStorage(limit, overhead);
    expect(varnish.resources.limits.memory).toBe(`${limit}Mi`);
    expect(varnish.resources.requests.memory).toBe(`${limit}Mi`);
    const args = (varnish.args as string[]).join(' ');
    expect(varnish.command).toEqual(['varnishd']);
    expect(args).toContain('-a http=:8080,HTTP');
    expect(args).toContain('-f /etc/varnish/maps-api/site.vcl -p vcl_path=/etc/varnish/maps-api');
    expect(args).toContain(`-s malloc,${malloc}m -s Transient=malloc,${transient}m`);
    expect(malloc + transient).toBeLessThan(limit - overhead);
  });

  it('is ready when the VCL answers /varnish-ready (never the API), and alive while its listener accepts', () => {
    expect(varnish.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(varnish.livenessProbe.httpGet).toBeUndefined();
    for (const probe of ['startupProbe', 'readinessProbe']) {
      expect(varnish[probe].httpGet, probe).toEqual({ path: '/varnish-ready', port: 'http' });
      expect(varnish[probe].tcpSocket, probe).toBeUndefined();
    }
    // The path is answered by the policy VCL itself (tested by policy-readiness-synthetic.vtc).
    expect(readFileSync(join(vclDir, 'policy.vcl'), 'utf8')).toMatch(
      /if \(req\.url == "\/varnish-ready"\) \{[^}]*return \(synth\(200/,
    );
    expect(exporter.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(exporter.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
  });

  it('exports metrics from a sidecar that reads the VSM of the shared working directory', () => {
    expect(exporter.name).toBe('exporter');
    expect(exporter.image).toBe(varnish.image);
    expect(exporter.command).toEqual(['prometheus-varnish-exporter']);
    const workdir = varnish.args[varnish.args.indexOf('-n') + 1];
    expect(exporter.args.slice(0, 2)).toEqual(['-n', workdir]);
    const mount = (c: { volumeMounts: { name: string; mountPath: string }[] }) =>
      c.volumeMounts.find((m) => m.name === 'workdir')?.mountPath;
    expect(workdir.startsWith(`${mount(varnish)}/`)).toBe(true);
    expect(mount(exporter)).toBe(mount(varnish));
    expect(pod.volumes.find((v: { name: string }) => v.name === 'workdir').emptyDir).toBeDefined();
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: 9131, protocol: 'TCP' }]);
  });

  it('has a PodDisruptionBudget that lets a drain evict its single pod', () => {
    const pdb = find(objects, 'PodDisruptionBudget', varnishName);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });
});

describe('Varnish rollout on change', () => {
  const checksum = (extra: string[]) =>
    find(render('staging', extra), 'Deployment', varnishName).spec.template.metadata.annotations[
      'checksum/vcl'
    ];

  it('rolls a new pod when the rendered VCL changes, and only then', () => {
    const base = checksum([]);
    expect(base).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum([])).toBe(base);
    expect(checksum(['--set', 'varnish.purgers={10.8.0.0/14}'])).not.toBe(base);
    expect(checksum(['--set', 'api.replicas=6'])).toBe(base);
  });

  it('renders the purgers ACL from values', () => {
    const objects = render('staging', ['--set', 'varnish.purgers={10.8.0.0/14,192.168.0.0/16}']);
    const site = find(objects, 'ConfigMap', `${varnishName}-vcl`).data['site.vcl'] as string;
    expect(site).toMatch(
      /acl purgers \{\n {4}"127\.0\.0\.1";\n {4}"::1";\n {4}"10\.8\.0\.0"\/14;\n {4}"192\.168\.0\.0"\/16;\n\}/,
    );
  });
});

describe('the miss budget (budget.vcl) in the site VCL', () => {
  const site = (environment: string, extra: string[] = []) =>
    find(render(environment, extra), 'ConfigMap', `${varnishName}-vcl`).data['site.vcl'] as string;
  const budget = (text: string) =>
    /sub maps_budget_limits \{\n {4}set req\.http\.X-Maps-Budget-Misses = "(\d+)";\n {4}set req\.http\.X-Maps-Budget-Period = "(\d+)s";\n(?: {4}#.*\n)* {4}set req\.http\.X-Maps-Budget-Retry-After = "(\d+)";\n\}/
      .exec(text)
      ?.slice(1)
      .map(Number);

  it.each([
    ['dev', 60, 60, 1],
    ['staging', 120, 60, 1],
    ['production', 300, 60, 1],
  ])(
    '%s: %d misses per client, refilled over %d s, Retry-After %d s',
    (environment, misses, period, retry) => {
      expect(budget(site(environment))).toEqual([misses, period, retry]);
    },
  );

  it('says Retry-After = the time one miss takes to refill, rounded up', () => {
    const set = (misses: number, period: number) => [
      '--set',
      `varnish.missBudget.misses=${misses},varnish.missBudget.periodSeconds=${period}`,
    ];
    expect(budget(site('dev', set(7, 60)))).toEqual([7, 60, 9]);
    expect(budget(site('dev', set(600, 60)))).toEqual([600, 60, 1]);
  });

  it('refuses a budget that would refuse every miss', () => {
    expect(() => render('dev', ['--set', 'varnish.missBudget.misses=0'])).toThrow(/misses/);
  });

  it("names the load balancer's proxies from networkPolicy.loadBalancerCidrs, the sources the NetworkPolicy admits", () => {
    const objects = render('production');
    const text = find(objects, 'ConfigMap', `${varnishName}-vcl`).data['site.vcl'] as string;
    expect(text).toMatch(/acl load_balancers \{\n {4}"130\.211\.0\.0"\/22;\n {4}"35\.191\.0\.0"\/16;\n\}/);
    const policy = find(objects, 'NetworkPolicy', varnishName);
    const admitted = policy.spec.ingress[0].from.flatMap((f: { ipBlock?: { cidr: string } }) =>
      f.ipBlock ? [f.ipBlock.cidr] : [],
    );
    expect(admitted).toEqual(['130.211.0.0/22', '35.191.0.0/16']);
  });
});
