import { homedir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Same tool cache as the root config: actionlint and zizmor come from tools/install.sh.
const toolsDir =
  process.env.MAPS_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'maps-api');
process.env.MAPS_TOOLS_DIR = toolsDir;
process.env.PATH = `${join(toolsDir, 'bin')}:${process.env.PATH ?? ''}`;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The fake engine is set through process-wide env vars: run files one at a time.
    fileParallelism: false,
  },
});
