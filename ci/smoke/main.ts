/** CLI: node --experimental-strip-types smoke/main.ts --url https://<host> --tileset <project.dataset.table>. */
import { parseArgs } from 'node:util';
import { runSmoke } from './checks.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    tileset: { type: 'string', default: '' },
    tile: { type: 'string', default: '14/4823/6160' },
    table: { type: 'string', default: 'carto-demo-data.demo_tables.retail_stores' },
    'geom-field': { type: 'string', default: 'geom' },
    'health-only': { type: 'boolean', default: false },
  },
});
if (!values.url) throw new Error('--url is required');
await runSmoke({
  url: values.url,
  tileset: values.tileset,
  tile: values.tile,
  table: values.table,
  geomField: values['geom-field'],
  healthOnly: values['health-only'],
  log: (line) => console.log(line),
});
console.log('smoke passed');
