import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tools installed by tools/install.sh live here; tests find them on PATH and fail (never skip) when one is missing.
const toolsDir =
  process.env.MAPS_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'maps-api');
process.env.MAPS_TOOLS_DIR = toolsDir;
process.env.PATH = `${join(toolsDir, 'bin')}:${process.env.PATH ?? ''}`;

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // cluster/tests need the rehearsal's cluster: `npm run rehearse` runs them (cluster/vitest.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'ci/**', 'cluster/tests/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
