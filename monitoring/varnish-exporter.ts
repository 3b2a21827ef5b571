// A real varnishd running the chart's VCL with our Varnish image's prometheus-varnish-exporter beside it (the same
// runtime) reading it: what the tests scrape to learn which varnish_* metrics exist.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVarnish, type RunningVarnish } from '../local-varnish/varnish.js';

export interface ExportedVarnish {
  varnish: RunningVarnish;
  /** The exporter's /metrics text. */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

const randomPort = () => 20_000 + Math.floor(Math.random() * 20_000);

/** varnishd in front of the API at 127.0.0.1:backendPort, and the exporter on a loopback port. */
export async function startExportedVarnish(backendPort: number): Promise<ExportedVarnish> {
  const workDir = await mkdtemp(join(tmpdir(), 'varnish-exporter-'));
  const varnish = await startVarnish({
    backends: [{ host: '127.0.0.1', port: backendPort }],
    listenPort: randomPort(),
    mallocMb: 32,
    transientMb: 8,
    workDir,
  });
  const exporterUrl = `http://127.0.0.1:${randomPort()}/metrics`;
  const exporter: ChildProcess = varnish.spawnBeside('prometheus-varnish-exporter', [
    '-n',
    workDir,
    '-web.listen-address',
    new URL(exporterUrl).host,
  ]);
  const stop = async () => {
    if (exporter.exitCode === null && exporter.signalCode === null) {
      const gone = once(exporter, 'exit');
      exporter.kill('SIGTERM');
      await gone;
    }
    await varnish.stop();
    await rm(workDir, { recursive: true, force: true });
  };
  const failed = new Promise<never>((_, reject) =>
    exporter.on('error', (err) =>
      reject(new Error(`prometheus-varnish-exporter: ${err.message}: run tools/install.sh promtool`)),
    ),
  );
  const listening = (async () => {
    for (let i = 0; i < 100; i++) {
      const up = await fetch(exporterUrl).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`prometheus-varnish-exporter did not answer on ${exporterUrl}`);
  })();
  try {
    await Promise.race([listening, failed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { varnish, scrape: async () => (await fetch(exporterUrl)).text(), stop };
}

/** Metric names in a Prometheus text exposition (samples only, not # HELP/# TYPE lines). */
export const exportedNames = (text: string) =>
  new Set(
    text
      .split('\n')
      .map((line) => /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
