// How BigQuery values and sizes become GeoJSON: INT64 stays exact, and a table's metadata alone can prove that its
// GeoJSON would be too large (413 before a single row is read).
import type { IntegerTypeCastOptions } from '@google-cloud/bigquery';

/**
 * INT64 arrives as a decimal string over REST. Numbers within ±(2^53 − 1) become JSON numbers (exact, as the original
 * API sent them); larger magnitudes (CARTO ids, quadbin cells) stay decimal strings, never rounded numbers.
 */
export const EXACT_INTEGERS: IntegerTypeCastOptions = {
  integerTypeCastFunction: (value: string) => {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  },
};

export interface TableSize {
  numBytes: number;
  numRows: number;
  columns: Map<string, string>;
}

// Stored bytes per value are at most this many times the shortest JSON text of that value: INT64/FLOAT64 store 8
// bytes for "0", NUMERIC and INTERVAL 16, BIGNUMERIC 32; strings, bytes and GEOGRAPHY never grow less than stored.
const STORED_BYTES_PER_JSON_BYTE: Record<string, number> = {
  NUMERIC: 16,
  INTERVAL: 16,
  RANGE: 16,
  BIGNUMERIC: 32,
  BIGDECIMAL: 32,
  // nested fields may hold any of the above
  RECORD: 32,
  STRUCT: 32,
};
const DEFAULT_STORED_BYTES_PER_JSON_BYTE = 8;
const EMPTY_FEATURE = '{"type":"Feature","geometry":{},"properties":{}},';
const COLLECTION = '{"type":"FeatureCollection","features":[]}';

/**
 * A lower bound of the GeoJSON text of every row, from table metadata only: each row is at least an empty Feature
 * plus `"name":0` per property, and the whole is at least numBytes divided by the densest stored type's ratio.
 */
export function minimumGeoJsonBytes({ numBytes, numRows, columns }: TableSize, geomField: string): number {
  const properties = [...columns.keys()].filter((name) => name !== geomField);
  const perRow =
    EMPTY_FEATURE.length +
    properties.reduce((sum, name) => sum + `"${name}":0,`.length, 0) -
    (properties.length > 0 ? 1 : 0);
  const ratio = Math.max(
    DEFAULT_STORED_BYTES_PER_JSON_BYTE,
    ...[...columns.values()].map((type) => STORED_BYTES_PER_JSON_BYTE[type] ?? 0),
  );
  return COLLECTION.length + Math.max(numRows * perRow - 1, Math.floor(numBytes / ratio));
}
