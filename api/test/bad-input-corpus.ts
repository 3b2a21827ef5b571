// Hostile and malformed requests. `marker` is a string that must never reach BigQuery in any form.
export interface BadInput {
  name: string;
  path: string;
  method?: string;
  status: number;
  marker?: string;
}

const TILESET = 'carto-demo-data.demo_tilesets.osm_buildings';
const TABLE = 'carto-demo-data.demo_tables.retail_stores';
const e = encodeURIComponent;
const tile = (id: string, z: string, x: string, y: string) =>
  `/maps/tileset/${e(id)}/${e(z)}/${e(x)}/${e(y)}`;
const table = (id: string, query: string) => `/maps/table/${e(id)}?${query}`;

const T = `/maps/tileset/${TILESET}`;
const S = `/maps/table/${TABLE}`;

/**
 * Other spellings of resources that exist (api/README.md, "Canonical URLs"), written raw as a client would send them:
 * the API refuses each before any BigQuery call, and Varnish must refuse them before its cache lookup (one tile, one
 * cache key): the VCL's test reads this list.
 */
export const NON_CANONICAL_URLS: BadInput[] = [
  {
    name: 'id with a percent-encoded underscore',
    path: `/maps/tileset/carto-demo-data.demo_tilesets.osm%5Fbuildings/0/0/0`,
    status: 400,
  },
  {
    name: 'id with a percent-encoded hyphen',
    path: `/maps/tileset/carto%2Ddemo-data.demo_tilesets.osm_buildings/0/0/0`,
    status: 400,
  },
  {
    name: 'id with a percent-encoded letter',
    path: `/maps/tileset/%63arto-demo-data.demo_tilesets.osm_buildings/0/0/0`,
    status: 400,
  },
  {
    name: 'id with a percent-encoded dot',
    path: `/maps/tileset/carto-demo-data%2Edemo_tilesets.osm_buildings/0/0/0`,
    status: 400,
  },
  { name: 'z percent-encoded', path: `${T}/%30/0/0`, status: 400 },
  { name: 'x percent-encoded', path: `${T}/1/%31/0`, status: 400 },
  { name: 'z with a leading zero', path: `${T}/00/0/0`, status: 400 },
  { name: 'x with a leading zero', path: `${T}/1/01/0`, status: 400 },
  { name: 'y with a plus sign', path: `${T}/1/0/+1`, status: 400 },
  { name: 'y as minus zero', path: `${T}/1/0/-0`, status: 400 },
  { name: 'a trailing slash after y', path: `${T}/0/0/0/`, status: 404 },
  { name: 'a doubled slash before the id', path: `/maps/tileset//${TILESET}/0/0/0`, status: 404 },
  {
    name: 'table id percent-encoded',
    path: `/maps/table/carto-demo-data.demo_tables.retail%5Fstores?geomField=geom`,
    status: 400,
  },
  { name: 'geomField value percent-encoded', path: `${S}?geomField=%67eom`, status: 400 },
  { name: 'geomField name percent-encoded', path: `${S}?geom%46ield=geom`, status: 400 },
  { name: 'format value percent-encoded', path: `${S}?geomField=geom&format=geo%6Ason`, status: 400 },
];

export const BAD_INPUTS: BadInput[] = [
  ...NON_CANONICAL_URLS,
  // SQL injection through the table id
  {
    name: 'id with backtick and UNION',
    path: tile(`${TILESET}\` UNION ALL SELECT pwn1 --`, '0', '0', '0'),
    status: 400,
    marker: 'pwn1',
  },
  {
    name: 'id with a statement separator',
    path: tile(`${TILESET}; DROP TABLE pwn2`, '0', '0', '0'),
    status: 400,
    marker: 'pwn2',
  },
  {
    name: 'id with quote tautology',
    path: tile(`${TILESET}' OR 'pwn3'='pwn3`, '0', '0', '0'),
    status: 400,
    marker: 'pwn3',
  },
  {
    name: 'id with a SQL comment',
    path: tile(`${TILESET}/*pwn4*/`, '0', '0', '0'),
    status: 400,
    marker: 'pwn4',
  },
  { name: 'id with a newline', path: tile(`${TILESET}\npwn5`, '0', '0', '0'), status: 400, marker: 'pwn5' },
  {
    name: 'id with a wildcard table',
    path: tile('carto-demo-data.demo_tilesets.pwn6*', '0', '0', '0'),
    status: 400,
    marker: 'pwn6',
  },
  {
    name: 'id with a backtick-quoted project',
    path: tile('`carto-demo-data`.demo_tilesets.pwn7', '0', '0', '0'),
    status: 400,
    marker: 'pwn7',
  },
  {
    name: 'id with two parts only',
    path: tile('carto-demo-data.pwn8', '0', '0', '0'),
    status: 400,
    marker: 'pwn8',
  },
  { name: 'id with four parts', path: tile(`${TILESET}.pwn9`, '0', '0', '0'), status: 400, marker: 'pwn9' },
  {
    name: 'id with an upper-case project',
    path: tile('CARTO-DEMO-DATA.demo_tilesets.pwn10', '0', '0', '0'),
    status: 400,
    marker: 'pwn10',
  },
  {
    name: 'id with unicode',
    path: tile('carto-demo-data.demo_tilesets.pwn11_ü', '0', '0', '0'),
    status: 400,
    marker: 'pwn11',
  },
  {
    name: 'id with path traversal',
    path: `/maps/tileset/..%2F..%2Fpwn12/0/0/0`,
    status: 400,
    marker: 'pwn12',
  },
  {
    name: 'id far too long',
    path: tile(`carto-demo-data.demo_tilesets.pwn13${'a'.repeat(2000)}`, '0', '0', '0'),
    status: 400,
    marker: 'pwn13',
  },
  // datasets outside the allow-list
  {
    name: 'a public dataset that is not allowed',
    path: tile('bigquery-public-data.samples.pwn14', '0', '0', '0'),
    status: 403,
    marker: 'pwn14',
  },
  {
    name: 'another dataset of the allowed project',
    path: tile('carto-demo-data.pwn15_private.secrets', '0', '0', '0'),
    status: 403,
    marker: 'pwn15',
  },
  {
    name: 'a disallowed dataset on the table route',
    path: table('other-project.pwn16.t', 'geomField=geom'),
    status: 403,
    marker: 'pwn16',
  },
  // tile coordinates
  { name: 'z = -1 (the metadata row)', path: tile(TILESET, '-1', '0', '0'), status: 400 },
  { name: 'z above the maximum zoom', path: tile(TILESET, '25', '0', '0'), status: 400 },
  { name: 'z not a number', path: tile(TILESET, 'abc', '0', '0'), status: 400 },
  { name: 'z fractional', path: tile(TILESET, '1.5', '0', '0'), status: 400 },
  { name: 'z in exponent notation', path: tile(TILESET, '1e1', '0', '0'), status: 400 },
  { name: 'z with a leading zero', path: tile(TILESET, '01', '0', '0'), status: 400 },
  { name: 'z with a plus sign', path: tile(TILESET, '+1', '0', '0'), status: 400 },
  { name: 'z enormous', path: tile(TILESET, '99999999999', '0', '0'), status: 400 },
  { name: 'x outside 0..2^z-1', path: tile(TILESET, '1', '2', '0'), status: 400 },
  { name: 'y outside 0..2^z-1', path: tile(TILESET, '3', '0', '8'), status: 400 },
  { name: 'y negative', path: tile(TILESET, '1', '0', '-1'), status: 400 },
  { name: 'x hexadecimal', path: tile(TILESET, '5', '0x1', '0'), status: 400 },
  {
    name: 'x with SQL tautology',
    path: tile(TILESET, '0', '0 OR pwn17=pwn17', '0'),
    status: 400,
    marker: 'pwn17',
  },
  {
    name: 'y with a statement separator',
    path: tile(TILESET, '0', '0', '0;DROP TABLE pwn18'),
    status: 400,
    marker: 'pwn18',
  },
  { name: 'y with a leading space', path: tile(TILESET, '1', '0', ' 1'), status: 400 },
  { name: 'a table that is not a tileset', path: tile(TABLE, '0', '0', '0'), status: 400 },
  // table route parameters
  { name: 'geomField missing', path: table(TABLE, 'format=geojson'), status: 400 },
  { name: 'geomField empty', path: table(TABLE, 'geomField='), status: 400 },
  {
    name: 'geomField closing a call',
    path: table(TABLE, `geomField=${e('geom) FROM pwn19 --')}`),
    status: 400,
    marker: 'pwn19',
  },
  {
    name: 'geomField with a subquery',
    path: table(TABLE, `geomField=${e('geom, (SELECT pwn20)')}`),
    status: 400,
    marker: 'pwn20',
  },
  {
    name: 'geomField with a backtick',
    path: table(TABLE, `geomField=${e('geom` , pwn21 `')}`),
    status: 400,
    marker: 'pwn21',
  },
  {
    name: 'geomField starting with a digit',
    path: table(TABLE, 'geomField=1pwn22'),
    status: 400,
    marker: 'pwn22',
  },
  {
    name: 'geomField longer than a column name can be',
    path: table(TABLE, `geomField=pwn23${'g'.repeat(300)}`),
    status: 400,
    marker: 'pwn23',
  },
  { name: 'geomField naming no column', path: table(TABLE, 'geomField=no_such_column'), status: 400 },
  { name: 'geomField naming a non-geometry column', path: table(TABLE, 'geomField=revenue'), status: 400 },
  {
    name: 'geomField given twice',
    path: table(TABLE, 'geomField=geom&geomField=pwn24'),
    status: 400,
    marker: 'pwn24',
  },
  { name: 'format unknown', path: table(TABLE, 'geomField=geom&format=csv'), status: 400 },
  { name: 'format in another case', path: table(TABLE, 'geomField=geom&format=GEOJSON'), status: 400 },
  {
    name: 'format with injection',
    path: table(TABLE, `geomField=geom&format=${e("geojson' OR pwn25")}`),
    status: 400,
    marker: 'pwn25',
  },
  {
    name: 'table id with injection on the table route',
    path: table(`${TABLE}\`; SELECT pwn26`, 'geomField=geom'),
    status: 400,
    marker: 'pwn26',
  },
  // methods the API does not serve
  { name: 'POST to a tile', path: tile(TILESET, '0', '0', '0'), method: 'POST', status: 405 },
  { name: 'DELETE a table', path: table(TABLE, 'geomField=geom'), method: 'DELETE', status: 405 },
];
