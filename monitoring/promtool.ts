// Runs promtool (installed by tools/install.sh promtool into $MAPS_TOOLS_DIR/bin, which vitest.config.ts puts on PATH).
import { execFile } from 'node:child_process';

export interface PromtoolResult {
  code: number;
  output: string;
}

export function promtool(args: string[], cwd: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    execFile('promtool', args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error(
            'promtool not found on PATH: run `tools/install.sh promtool` (builds it from the Go proxy)',
          ),
        );
        return;
      }
      resolve({ code: error ? Number(error.code ?? 1) : 0, output });
    });
  });
}
