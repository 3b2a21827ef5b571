import { describe, expect, it } from 'vitest';
import { apiName, environmentNames, environmentsFile, find, render } from './chart.js';

type EnvVar = { name: string; value: string };
const envOf = (container: { env: EnvVar[] }) =>
  Object.fromEntries(container.env.map((e) => [e.name, e.value]));

describe.each(environmentNames)('the API in %s', (environment) => {
  const objects = render(environment);
  const deployment = find(objects, 'Deployment', apiName);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('runs 5 replicas and rolls without ever losing one', () => {
    expect(deployment.spec.replicas).toBe(5);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it('checks /healthz for startup and liveness and /readyz for readiness on the http port', () => {
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('pauses before SIGTERM and waits long enough for in-flight requests to drain', () => {
    const sleep = container.lifecycle.preStop.sleep.seconds as number;
    const shutdownMs = Number(envOf(container).SHUTDOWN_TIMEOUT_MS);
    expect(sleep).toBeGreaterThanOrEqual(5);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep + shutdownMs / 1000);
    expect(pod.terminationGracePeriodSeconds).toBe(sleep + Math.ceil(shutdownMs / 1000) + 5);
  });

  it('is configured from values through the environment variables the API reads', () => {
    const env = envOf(container);
    const project = environmentsFile.environments[environment]!.gcpProject;
    expect(env).toMatchObject({ PORT: '3000', HOST: '0.0.0.0', GOOGLE_CLOUD_PROJECT: project });
    expect(env.MAX_JSON_RESPONSE_SIZE).toBe('10485760');
    expect(env.QUERY_TIMEOUT_MS).toBe('10000');
    const replica = `${project}.maps_replica.osm_buildings`;
    // Every environment serves the map's two layers: the tileset from its replica, the stores table from its source.
    expect(env.SERVED_TABLES).toBe(
      `carto-demo-data.demo_tilesets.osm_buildings=${replica},carto-demo-data.demo_tables.retail_stores,${replica}`,
    );
    expect(Object.keys(env).sort()).toEqual(
      [
        'GOOGLE_CLOUD_PROJECT',
        'HOST',
        'LOG_LEVEL',
        'MAX_JSON_RESPONSE_SIZE',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'PORT',
        'QUERY_TIMEOUT_MS',
        'SHUTDOWN_TIMEOUT_MS',
        'SERVED_TABLES',
      ].sort(),
    );
  });

  it('runs as the maps-api ServiceAccount bound to its Google service account by Workload Identity', () => {
    const project = environmentsFile.environments[environment]!.gcpProject;
    const account = find(objects, 'ServiceAccount', 'maps-api');
    expect(pod.serviceAccountName).toBe('maps-api');
    expect(account.metadata.annotations['iam.gke.io/gcp-service-account']).toBe(
      `maps-api@${project}.iam.gserviceaccount.com`,
    );
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('has requests and a memory limit', () => {
    expect(container.resources.requests.cpu).toMatch(/^\d+m?$/);
    expect(container.resources.requests.memory).toMatch(/Mi|Gi/);
    expect(container.resources.limits.memory).toMatch(/Mi|Gi/);
  });

  it('spreads over zones and nodes', () => {
    const keys = pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey);
    expect(keys).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const c of pod.topologySpreadConstraints) {
      expect(c.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    }
  });

  it('has a PodDisruptionBudget that never blocks a node drain', () => {
    const pdb = find(objects, 'PodDisruptionBudget', apiName);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeUndefined();
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
  });

  it('is reached through a ClusterIP Service on port 3000', () => {
    const service = find(objects, 'Service', apiName);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.clusterIP).toBeUndefined();
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('has no HPA unless enabled', () => {
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });
});

describe('API options', () => {
  it('hands replicas to an HPA that never goes below 5 when autoscaling is enabled', () => {
    const objects = render('production', ['--set', 'api.autoscaling.enabled=true']);
    const hpa = find(objects, 'HorizontalPodAutoscaler', apiName);
    expect(hpa.spec.minReplicas).toBe(5);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: apiName });
    expect(find(objects, 'Deployment', apiName).spec.replicas).toBeUndefined();
  });

  it('pins images by digest when a digest is given, and by tag otherwise', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = render('production', [
      '--set',
      `images.api.digest=${digest}`,
      '--set',
      `images.varnish.digest=${digest}`,
      '--set',
      'images.api.tag=ignored',
    ]);
    const images = pinned
      .flatMap((o) =>
        [o.spec?.template?.spec?.containers ?? [], o.kind === 'Pod' ? o.spec.containers : []].flat(),
      )
      .map((c: { image: string }) => c.image);
    expect(images.length).toBe(4);
    expect(new Set(images)).toEqual(
      new Set([
        `us-central1-docker.pkg.dev/maps-api-production/maps/maps-api@${digest}`,
        `us-central1-docker.pkg.dev/maps-api-production/maps/varnish@${digest}`,
      ]),
    );
    const tagged = find(render('production'), 'Deployment', apiName);
    expect(tagged.spec.template.spec.containers[0].image).toBe(
      'us-central1-docker.pkg.dev/maps-api-production/maps/maps-api:0.1.0',
    );
  });

  it('takes an explicit Google service account for Workload Identity', () => {
    const objects = render('dev', [
      '--set',
      'api.gcpServiceAccount=api-runner@other-project.iam.gserviceaccount.com',
    ]);
    expect(
      find(objects, 'ServiceAccount', 'maps-api').metadata.annotations['iam.gke.io/gcp-service-account'],
    ).toBe('api-runner@other-project.iam.gserviceaccount.com');
  });
});
