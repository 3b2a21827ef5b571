// Rows → GeoJSON FeatureCollection text, built incrementally so an oversized answer is refused (413) before it is
// held in memory or sent.
import { wktToGeoJSON } from '@terraformer/wkt';
import type { Row } from './bigquery.js';
import { tooLarge } from './errors.js';

const HEAD = '{"type":"FeatureCollection","features":[';
const TAIL = ']}';

export async function featureCollection(
  pages: AsyncIterable<Row[]>,
  geomField: string,
  maxBytes: number,
): Promise<string> {
  const parts: string[] = [HEAD];
  let size = HEAD.length + TAIL.length;
  let first = true;
  for await (const rows of pages) {
    for (const row of rows) {
      const feature = (first ? '' : ',') + JSON.stringify(toFeature(row, geomField));
      size += Buffer.byteLength(feature);
      if (size > maxBytes) throw tooLarge(`response would exceed MAX_JSON_RESPONSE_SIZE (${maxBytes} bytes)`);
      parts.push(feature);
      first = false;
    }
  }
  parts.push(TAIL);
  return parts.join('');
}

function toFeature(row: Row, geomField: string) {
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key !== geomField) properties[key] = plain(value);
  }
  return { type: 'Feature', geometry: geometry(plain(row[geomField])), properties };
}

/** GEOGRAPHY arrives as WKT; a STRING column may hold WKT or GeoJSON text. Unparseable → null geometry. */
function geometry(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  try {
    return text.startsWith('{') ? JSON.parse(text) : wktToGeoJSON(text);
  } catch {
    return null;
  }
}

/** The BigQuery client wraps some types ({ value }) and returns BYTES as Buffers; properties get plain JSON. */
function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    if ('value' in value && Object.keys(value).length === 1) return (value as { value: unknown }).value;
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
