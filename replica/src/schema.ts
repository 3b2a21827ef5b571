// Schema equality: names, types (legacy and standard spellings are the same type), modes, nested fields, in order.
import type { TableField } from '@google-cloud/bigquery';

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
