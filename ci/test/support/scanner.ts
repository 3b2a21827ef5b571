/**
 * Runs the Dagger TypeScript SDK's own introspection entrypoint over ci/src, the program the engine runs to learn a
 * module's API. The SDK resolves Dagger types from a file named client.gen.ts (generated inside a real engine);
 * the npm package ships the same declarations as client.gen.d.ts, so a copy under that name stands in for it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ciDir = fileURLToPath(new URL('../../', import.meta.url));
const sdk = join(ciDir, 'node_modules/@dagger.io/dagger/dist/src');

export function runScanner(
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dagger-scan-'));
  const clientGen = join(dir, 'client.gen.ts');
  copyFileSync(join(sdk, 'api/client.gen.d.ts'), clientGen);
  const entry = join(sdk, 'module/entrypoint/introspection_entrypoint.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, 'maps-api', join(ciDir, 'src'), clientGen], {
      env: { ...process.env, TYPEDEF_OUTPUT_FILE: join(dir, 'module-id.json'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
