// Turns Kubernetes' published OpenAPI v3 documents (api/openapi-spec/v3 of the k8s.io/kubernetes Go module) into
// kubeconform's layout: one standalone, strict JSON schema per kind, named `<kind><-group>-<version>.json`.
// Strict = every object with declared properties rejects unknown ones (what `kubectl --validate=strict` does).
// Usage: tsx generate-kubernetes-schemas.ts <openapi-spec/v3 dir> <output dir>
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = { [key: string]: unknown };
type GroupVersionKind = { group: string; version: string; kind: string };

const [specDir, outDir] = process.argv.slice(2);
if (!specDir || !outDir) throw new Error('usage: generate-kubernetes-schemas.ts <openapi v3 dir> <out dir>');

// Only GA APIs: a chart for production must not depend on alpha/beta versions.
const documents = readdirSync(specDir).filter(
  (f) => f.endsWith('_openapi.json') && !/(alpha|beta)\d/.test(f),
);
const components: Record<string, Schema> = {};
for (const file of documents) {
  const doc = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as { components?: { schemas?: object } };
  Object.assign(components, doc.components?.schemas ?? {});
}

const refPrefix = '#/components/schemas/';

function convert(node: unknown, refs: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, refs));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(refPrefix)) {
      const name = value.slice(refPrefix.length);
      refs.add(name);
      out.$ref = `#/$defs/${name}`;
    } else if (key === 'nullable' || key.startsWith('x-kubernetes-') || key === 'format') {
      // handled below / not JSON Schema keywords; formats like int32 are not asserted by kubeconform
    } else {
      out[key] = convert(value, refs);
    }
  }
  if (source['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const strictObject =
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    source['x-kubernetes-preserve-unknown-fields'] !== true;
  if (strictObject) out.additionalProperties = false;
  return out;
}

function standalone(name: string): Schema {
  const defs: Record<string, unknown> = {};
  const pending = [name];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const next = pending.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    const refs = new Set<string>();
    const schema = components[next];
    if (!schema) throw new Error(`unresolved $ref ${next}`);
    defs[next] = convert(schema, refs);
    pending.push(...refs);
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', $ref: `#/$defs/${name}`, $defs: defs };
}

// kubeconform's file name: kind + '-' + first label of the group (none for core) + '-' + version, lower case.
function fileName({ group, version, kind }: GroupVersionKind): string {
  const groupPart = group === '' ? '' : `-${group.split('.')[0]}`;
  return `${kind}${groupPart}-${version}.json`.toLowerCase();
}

mkdirSync(outDir, { recursive: true });
let written = 0;
for (const [name, schema] of Object.entries(components)) {
  const gvks = schema['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
  if (!gvks || name.startsWith('io.k8s.apimachinery.pkg.apis.meta.v1.')) continue;
  const text = JSON.stringify(standalone(name));
  for (const gvk of gvks) {
    writeFileSync(join(outDir, fileName(gvk)), text);
    written += 1;
  }
}
console.log(`    ${written} kind schemas written to ${outDir}`);
