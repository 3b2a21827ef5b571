// The toolbox image (tools/toolbox/Dockerfile) carries gcloud for the suite's gcloud tests: the same pinned
// google-cloud-cli image the pipeline's gcloud functions run (src/images.ts), so the tests run the gcloud CI runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinned } from '../src/images.ts';
import { repoRoot } from './support/workflows.ts';

const dockerfile = readFileSync(join(repoRoot, 'tools/toolbox/Dockerfile'), 'utf8');

describe("the toolbox image's gcloud", () => {
  it('comes from the google-cloud-cli image src/images.ts pins (tag and digest)', () => {
    expect(/^FROM (\S+) AS gcloud$/m.exec(dockerfile)?.[1]).toBe(pinned('gcloud'));
  });

  it('is copied from it whole and put on PATH, as the slim image has it', () => {
    expect(dockerfile).toContain('COPY --from=gcloud /usr/lib/google-cloud-sdk /usr/lib/google-cloud-sdk');
    expect(dockerfile).toMatch(
      /ln -s \S*google-cloud-sdk\/bin\/gcloud \/usr\/local\/bin\/gcloud && gcloud --version/,
    );
  });
});
