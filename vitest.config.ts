import { defineConfig } from 'vitest/config';
import { useInstalledTools } from './tools/tools-path.js';

// Tools installed by tools/install.sh are linked into $MAPS_TOOLS_DIR/bin; tests find them on PATH and fail (never
// skip) when one is missing.
useInstalledTools();
// Every test runs production's Varnish (images/varnish through Docker), never whichever the machine has
// (local-varnish/runtime.ts; local-varnish/one-varnish.test.ts).
process.env.MAPS_VARNISH_RUNTIME = 'image';

// `./dev test --without-docker` sets MAPS_TEST_LEAVE_OUT=needs-docker: vitest reports those suites as skipped.
const leaveOut = (process.env.MAPS_TEST_LEAVE_OUT ?? '').split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // rehearsal/tests need the rehearsal's cluster: `npm run rehearse` runs them (rehearsal/vitest.config.ts).
    exclude: ['**/node_modules/**', '**/dist/**', 'ci/**', 'rehearsal/tests/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    tags: [
      {
        name: 'needs-docker',
        description:
          'needs a Docker engine this user can use (image builds, compose, the Varnish image every test runs)',
      },
    ],
    ...(leaveOut.length > 0 ? { tagsFilter: leaveOut.map((tag) => `!${tag}`) } : {}),
  },
});
