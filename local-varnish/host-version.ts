import { spawnSync } from 'node:child_process';

/** The host's varnishd version ("7.1.1"), or undefined when none is on PATH. Starts nothing: no Docker needed. */
export function hostVarnishVersion(): string | undefined {
  // varnishd -V prints to standard error and exits 0 (7.1 and 7.7 alike); a missing binary prints nothing.
  const { stdout = '', stderr = '' } = spawnSync('varnishd', ['-V'], { encoding: 'utf8' });
  return /varnish-(\d+\.\d+\.\d+)/.exec(`${stdout}${stderr}`)?.[1];
}
