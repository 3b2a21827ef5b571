import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartDir, helmLintArgs, helmTemplateArgs, renderText, run } from './chart.js';

const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
const schemaFailure = "values don't meet the specifications of the schema";

/** Writes a values file overriding values-staging.yaml, for template and lint. */
function valuesFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'maps-api-values-')), 'bad.yaml');
  writeFileSync(file, content);
  return file;
}

const badValues: [string, string, string][] = [
  ['a misspelt top-level key', 'ingres:\n  enabled: true\n', "'ingres'"],
  ['a misspelt nested key', 'api:\n  replcas: 5\n', "'replcas'"],
  ['a misspelt deeply nested key', 'varnish:\n  storage:\n    mallocPercnt: 70\n', "'mallocPercnt'"],
  ['a string where an integer belongs', 'api:\n  replicas: five\n', '/api/replicas'],
  ['a number where a string belongs', 'ingress:\n  host: 42\n', '/ingress/host'],
  ['a boolean as a string', 'monitoring:\n  podMonitoring: "yes"\n', '/monitoring/podMonitoring'],
  ['the rules switch as a string', 'monitoring:\n  rules: "true"\n', '/monitoring/rules'],
  ['an unknown environment', 'environment: prod\n', '/environment'],
  ['fewer than 5 API replicas', 'api:\n  replicas: 3\n', '/api/replicas'],
  ['an HPA floor below 5', 'api:\n  autoscaling:\n    minReplicas: 2\n', '/api/autoscaling/minReplicas'],
  ['a digest that is not sha256', 'images:\n  api:\n    digest: latest\n', '/images/api/digest'],
  [
    'no served table (the API would not start)',
    'api:\n  config:\n    servedTables: []\n',
    '/api/config/servedTables',
  ],
  [
    'a served table whose backing id is not project.dataset.table',
    'api:\n  config:\n    servedTables:\n      - id: carto-demo-data.demo_tilesets.osm_buildings\n        backing: maps_replica.osm_buildings\n',
    '/api/config/servedTables/0/backing',
  ],
  [
    'a dataset where a table id belongs',
    'api:\n  config:\n    servedTables:\n      - id: carto-demo-data.demo_tables\n',
    '/api/config/servedTables/0/id',
  ],
  ['a purger that is not a CIDR', 'varnish:\n  purgers: ["10.0.0.1"]\n', '/varnish/purgers/0'],
];

describe('values.schema.json', () => {
  it.each(badValues)('makes helm template fail on %s', (_what, content, mention) => {
    const result = run('helm', helmTemplateArgs('staging', ['--values', valuesFile(content)]));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(schemaFailure);
    expect(result.stderr).toContain(mention);
  });

  it.each(badValues)('makes helm lint --strict fail on %s', (_what, content) => {
    const result = run('helm', helmLintArgs('staging', [valuesFile(content)]));
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(schemaFailure);
  });

  it('makes helm template fail on a --set of the wrong type', () => {
    const result = run('helm', helmTemplateArgs('dev', ['--set', 'api.config.queryTimeoutMs=fast']));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('/api/config/queryTimeoutMs');
  });

  it('accepts the same override when it is well formed (the negatives fail for their error alone)', () => {
    expect(() => renderText('staging', ['--values', valuesFile('api:\n  replicas: 6\n')])).not.toThrow();
  });

  it('closes every object: additionalProperties false, or a typed map for free-form names', () => {
    const open: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`));
      if (node === null || typeof node !== 'object') return;
      const s = node as Record<string, unknown>;
      if (s.type === 'object') {
        const closed = s.additionalProperties === false;
        const typedMap =
          typeof s.additionalProperties === 'object' &&
          s.propertyNames !== undefined &&
          s.properties === undefined;
        if (!closed && !typedMap) open.push(path);
      }
      for (const [k, v] of Object.entries(s)) walk(v, `${path}/${k}`);
    };
    walk(schema, '#');
    expect(open).toEqual([]);
  });
});
