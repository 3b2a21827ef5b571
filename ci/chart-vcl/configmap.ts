/** The chart's Varnish ConfigMap → files (the `test` function runs the same VCL set as the cluster). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

export function configMapFiles(input: string, outDir: string): string[] {
  const configMap = load(readFileSync(input, 'utf8')) as { kind?: string; data?: Record<string, string> };
  if (configMap?.kind !== 'ConfigMap' || !configMap.data)
    throw new Error(`${input} is not a ConfigMap with data`);
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(configMap.data)) writeFileSync(join(outDir, name), text);
  return Object.keys(configMap.data);
}
