// $MAPS_TOOLS_DIR/bin holds every program tools/install.sh installed or found: helm, local-bigquery, and the
// distribution's varnishd, nginx… linked from wherever the distribution put them (Debian: /usr/sbin, which a normal
// user's PATH lacks; tools/lib/apt.sh). Every entry point that starts them puts that directory first on PATH, so
// nothing depends on the caller's PATH.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function toolsDir(): string {
  return (
    process.env.MAPS_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'maps-api')
  );
}

/** Sets MAPS_TOOLS_DIR and puts $MAPS_TOOLS_DIR/bin first on PATH, for this process and what it starts. */
export function useInstalledTools(): void {
  const dir = toolsDir();
  const bin = join(dir, 'bin');
  process.env.MAPS_TOOLS_DIR = dir;
  const rest = (process.env.PATH ?? '').split(':').filter((entry) => entry && entry !== bin);
  process.env.PATH = [bin, ...rest].join(':');
}
