// compose.yaml runs Varnish as the chart does: the site VCL it mounts (images/varnish/compose-site.vcl) and the
// varnishd arguments it passes must be what `helm template` renders for dev with the 5 compose API services.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderChartVarnish } from '../local-varnish/chart-varnish.js';
import { COMPOSE_VARNISH } from './varnish/render-compose-site.js';
import { REPO_ROOT } from './test/docker.js';

type Compose = { services: Record<string, { command?: string[]; volumes?: string[] }> };

describe('compose runs the chart-rendered Varnish', () => {
  const chart = renderChartVarnish(COMPOSE_VARNISH);

  it('mounts the site VCL the chart renders for api-1..api-5 (regenerate with images/varnish/render-compose-site.ts)', async () => {
    const committed = await readFile(join(REPO_ROOT, 'images/varnish/compose-site.vcl'), 'utf8');
    const compose = await readFile(join(REPO_ROOT, 'compose.yaml'), 'utf8');
    for (let i = 1; i <= 5; i++) expect(compose).toContain(`  api-${i}:\n`);
    expect(committed).toBe(chart.siteVcl);
    expect(committed).toContain('.between_bytes_timeout = 10s;');
  });

  it("passes the chart's varnishd arguments (storage sizes, parameters); only the site file's path differs", async () => {
    const { services } = parse(await readFile(join(REPO_ROOT, 'compose.yaml'), 'utf8')) as Compose;
    const varnish = services['varnish']!;
    expect(varnish.volumes).toContain('./images/varnish/compose-site.vcl:/etc/varnish/site/site.vcl:ro');
    const expected = chart.varnishdArgs.map((arg) =>
      arg === '/etc/varnish/maps-api/site.vcl' ? '/etc/varnish/site/site.vcl' : arg,
    );
    expect(varnish.command).toEqual(['varnishd', ...expected]);
    expect(varnish.command).toContain(`malloc,${chart.mallocMb}m`);
  });
});
