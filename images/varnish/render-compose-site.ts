// Renders images/varnish/compose-site.vcl: `node --import tsx images/varnish/render-compose-site.ts`.
// Backends are compose.yaml's api-1..api-5; purgers are loopback and Docker's default bridge ranges (the host reaches
// published ports through the bridge gateway).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSiteVcl, type SiteOptions } from '../../cache/site-vcl.js';

export const COMPOSE_SITE: SiteOptions = {
  backends: [1, 2, 3, 4, 5].map((i) => ({ host: `api-${i}`, port: 3000 })),
  purgeAcl: ['127.0.0.1', '::1', '172.16.0.0/12', '192.168.0.0/16'],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('compose-site.vcl', import.meta.url), renderSiteVcl(COMPOSE_SITE));
}
