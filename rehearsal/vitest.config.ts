import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// Files run in name order (1-, 2-, ...): the first checks the releases exactly as the rehearsal deployed them, later
// ones upgrade, break and scale them.
class ByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

// The real-cluster tests: `npm run rehearse` runs them after deploying dev, staging and production (they need that
// cluster and REHEARSAL_IMAGES); the root config leaves them out. One file at a time: they share the releases.
export default defineConfig({
  test: {
    include: ['rehearsal/tests/**/*.test.ts'],
    fileParallelism: false,
    sequence: { sequencer: ByName },
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
