// Production's topology on one machine without Docker: the seeded BigQuery emulator, N API processes and one
// varnishd running the chart's VCL in front of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSeededEmulator, type Emulator } from '@maps-api/emulator';
import { startVarnish, type RunningVarnish } from '../local-varnish/varnish.js';
import { startApi, type ApiProcess } from './api-process.js';

export interface StackOptions {
  apis?: number;
  /** First API port; the others follow. 0: free ports. */
  apiBasePort?: number;
  varnishPort: number;
  /** 0: a free port. */
  emulatorPort?: number;
  watch?: boolean;
  apiEnv?: Record<string, string>;
  /** Puts something in front of the emulator for the API processes (a test's BigQuery front): its REST root. */
  frontOfEmulator?: (emulatorHost: string) => Promise<string>;
  onLog?: (line: string) => void;
  progress?: (step: string) => void;
}

export interface NativeStack {
  url: string;
  emulator: Emulator;
  apis: ApiProcess[];
  varnish: RunningVarnish;
  /** Starts (again) the API process at index i, on the same port. */
  restartApi(i: number): Promise<ApiProcess>;
  stop(): Promise<void>;
}

export async function startNativeStack(options: StackOptions): Promise<NativeStack> {
  const progress = options.progress ?? (() => {});
  const count = options.apis ?? 5;
  progress(`BigQuery emulator with sample data (port ${options.emulatorPort || 'free'})`);
  const emulator = await startSeededEmulator({ port: options.emulatorPort ?? 0 });
  const apis: ApiProcess[] = [];
  let varnish: RunningVarnish | undefined;
  const workDir = mkdtempSync(join(tmpdir(), 'maps-varnish-'));
  const bigquery = options.frontOfEmulator ? await options.frontOfEmulator(emulator.host) : emulator.host;
  const env = { BIGQUERY_EMULATOR_HOST: bigquery, LOG_LEVEL: 'warn', ...options.apiEnv };
  const launch = (i: number, port: number) =>
    startApi({ env, port, watch: options.watch, onLog: options.onLog });
  try {
    progress(`${count} API processes`);
    const ports = Array.from({ length: count }, (_, i) =>
      options.apiBasePort ? options.apiBasePort + i : 0,
    );
    apis.push(...(await Promise.all(ports.map((port, i) => launch(i, port)))));
    progress(`varnishd on port ${options.varnishPort}`);
    varnish = await startVarnish({
      backends: apis.map((api) => ({ host: '127.0.0.1', port: api.port })),
      listenPort: options.varnishPort,
      // Site VCL, storage sizes and parameters: the chart's, for dev (helm template). Production's Varnish image
      // where Docker runs, else this machine's varnishd with a version warning (local-varnish/runtime.ts).
      environment: 'dev',
      workDir,
      progress,
    });
  } catch (error) {
    await Promise.all(apis.map((api) => api.stop('SIGKILL')));
    await emulator.stop();
    throw error;
  }
  const running = varnish;
  return {
    url: running.url,
    emulator,
    apis,
    varnish: running,
    async restartApi(i) {
      apis[i] = await launch(i, apis[i]!.port);
      return apis[i]!;
    },
    async stop() {
      await running.stop();
      await Promise.all(apis.map((api) => api.stop()));
      await emulator.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
