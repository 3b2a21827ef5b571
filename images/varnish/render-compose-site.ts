// Renders images/varnish/compose-site.vcl with the chart (helm template, dev values):
//   node --import tsx images/varnish/render-compose-site.ts
// Backends are compose.yaml's api-1..api-5; purgers are loopback (always) and Docker's default bridge ranges (the
// host reaches published ports through the bridge gateway).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderChartVarnish, type ChartVarnishOptions } from '../../local-varnish/chart-varnish.js';

export const COMPOSE_VARNISH: ChartVarnishOptions = {
  environment: 'dev',
  backends: [1, 2, 3, 4, 5].map((i) => ({ host: `api-${i}`, port: 3000 })),
  purgers: ['172.16.0.0/12', '192.168.0.0/16'],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('compose-site.vcl', import.meta.url), renderChartVarnish(COMPOSE_VARNISH).siteVcl);
}
