// compose.yaml mounts images/varnish/compose-site.vcl; it must stay what cache/site-vcl.ts renders for the 5 API
// services, so the local stack runs the same site shape as the native stack and the chart.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSiteVcl } from '../cache/site-vcl.js';
import { REPO_ROOT } from './test/docker.js';

describe('the compose site VCL', () => {
  it('is the rendered site VCL for api-1..api-5 on port 3000 (regenerate with images/varnish/render-compose-site.ts)', async () => {
    const committed = await readFile(join(REPO_ROOT, 'images/varnish/compose-site.vcl'), 'utf8');
    const compose = await readFile(join(REPO_ROOT, 'compose.yaml'), 'utf8');
    for (let i = 1; i <= 5; i++) expect(compose).toContain(`  api-${i}:\n`);
    const { COMPOSE_SITE } = await import('./varnish/render-compose-site.js');
    expect(committed).toBe(renderSiteVcl(COMPOSE_SITE));
  });
});
