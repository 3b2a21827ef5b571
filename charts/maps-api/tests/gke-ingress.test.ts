// The GKE Ingress front end: HTTPS only (port 80 redirects) and Cloud Armor on the Varnish backend, wired through the
// chart's FrontendConfig and BackendConfig. The names they point at are checked against Terraform in
// terraform/terraform.test.ts ("what the chart expects, Terraform creates").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentNames, parseObjects, renderText, type K8sObject } from './chart.js';
import { generatedSchemas, schemasDir } from './schemas/crd-schemas.js';

const find = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

describe('GKE Ingress: HTTPS only, Cloud Armor on the backend', () => {
  it.each(environmentNames)(
    '%s: port 80 answers only a redirect to HTTPS, TLS 1.2+ through the SSL policy',
    (environment) => {
      const objects = parseObjects(renderText(environment));
      const [ingress] = find(objects, 'Ingress');
      const frontends = find(objects, 'FrontendConfig');
      expect(frontends.map((f) => f.metadata.name)).toEqual([
        ingress!.metadata.annotations['networking.gke.io/v1beta1.FrontendConfig'],
      ]);
      expect(frontends[0]!.apiVersion).toBe('networking.gke.io/v1beta1');
      expect(frontends[0]!.spec).toEqual({
        sslPolicy: 'maps-api-tls',
        redirectToHttps: { enabled: true, responseCodeName: 'MOVED_PERMANENTLY_DEFAULT' },
      });
    },
  );

  it.each(environmentNames)(
    '%s: the Service behind the Ingress names a BackendConfig that attaches the Cloud Armor policy',
    (environment) => {
      const objects = parseObjects(renderText(environment));
      const [ingress] = find(objects, 'Ingress');
      const serviceName = ingress!.spec.rules[0].http.paths[0].backend.service.name as string;
      const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName)!;
      const annotation = JSON.parse(
        service.metadata.annotations['cloud.google.com/backend-config'] as string,
      ) as {
        default: string;
      };
      const backends = find(objects, 'BackendConfig');
      expect(backends.map((b) => b.metadata.name)).toEqual([annotation.default]);
      expect(backends[0]!.apiVersion).toBe('cloud.google.com/v1');
      expect(backends[0]!.spec.securityPolicy).toEqual({ name: 'maps-api-edge' });
      expect(backends[0]!.spec.customResponseHeaders.headers).toEqual([
        'Strict-Transport-Security: max-age=31536000',
      ]);
    },
  );

  it('renders neither, and no annotation naming them, without an Ingress', () => {
    const text = renderText('dev', ['--set', 'ingress.enabled=false']);
    const kinds = parseObjects(text).map((o) => o.kind);
    expect(kinds).not.toContain('BackendConfig');
    expect(kinds).not.toContain('FrontendConfig');
    expect(text).not.toContain('cloud.google.com/backend-config');
  });

  it('the kubeconform schemas of both kinds are generated from the CRDs the rehearsal installs', () => {
    const generated = generatedSchemas();
    expect([...generated.keys()].sort()).toEqual([
      'backendconfig-cloud-v1.json',
      'frontendconfig-networking-v1beta1.json',
    ]);
    for (const [file, schema] of generated) {
      const committed = JSON.parse(readFileSync(join(schemasDir, file), 'utf8')) as unknown;
      expect(
        committed,
        `${file}: run node --import tsx charts/maps-api/tests/schemas/crd-schemas.ts`,
      ).toEqual(schema);
    }
  });
});
