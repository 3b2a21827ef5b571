// Schema equality: names, types (legacy and standard spellings are the same type), modes, nested fields, in order;
// and layout equality: partitioning and clustering.
import type { TableField } from '@google-cloud/bigquery';
import type { Layout } from './metadata.js';

const TYPE_ALIASES: Record<string, string> = {
  INTEGER: 'INT64',
  FLOAT: 'FLOAT64',
  BOOLEAN: 'BOOL',
  RECORD: 'STRUCT',
};

function normalType(type: string | undefined): string {
  const upper = (type ?? '').toUpperCase();
  return TYPE_ALIASES[upper] ?? upper;
}

function describe(field: TableField): string {
  return `${field.name} ${normalType(field.type)} ${(field.mode ?? 'NULLABLE').toUpperCase()}`;
}

/** Human-readable differences between two field lists; empty when equal. */
export function schemaDifferences(
  expected: TableField[] = [],
  actual: TableField[] = [],
  prefix = '',
): string[] {
  const differences: string[] = [];
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) {
    const want = expected[i];
    const got = actual[i];
    if (!want) differences.push(`unexpected column ${prefix}${describe(got!)}`);
    else if (!got) differences.push(`missing column ${prefix}${describe(want)}`);
    else if (describe(want) !== describe(got)) {
      differences.push(
        `column ${i + 1}: expected ${prefix}${describe(want)}, found ${prefix}${describe(got)}`,
      );
    } else if (want.fields?.length || got.fields?.length) {
      differences.push(...schemaDifferences(want.fields, got.fields, `${prefix}${want.name}.`));
    }
  }
  return differences;
}

/** JSON with keys sorted, so equal specifications compare equal whatever order BigQuery answers them in. */
function canonical(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return `{${entries
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
    .join(',')}}`;
}

/** 'partitioning: …' / 'clustering: …' for each way the copy is stored differently; empty when equal. */
export function layoutDifferences(expected: Layout, actual: Layout): string[] {
  const differences: string[] = [];
  for (const [name, keys] of [
    ['partitioning', ['rangePartitioning', 'timePartitioning']],
    ['clustering', ['clustering']],
  ] as const) {
    const want = keys.map((key) => canonical(expected[key])).join(' ');
    const got = keys.map((key) => canonical(actual[key])).join(' ');
    if (want !== got) differences.push(`${name}: expected ${want}, found ${got}`);
  }
  return differences;
}
