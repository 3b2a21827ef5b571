// How BigQuery estimates a query before running it (what maximumBytesBilled is checked against), modelled for the
// stand-in from a query's SQL text:
// - columnar billing: only the columns a query names are read (every column for `SELECT *` or `t.*`);
// - partition pruning counts only for a filter on the partitioning column that BigQuery can evaluate before reading:
//   a conjunct of the WHERE clause of the SELECT that reads the table (ANDed at the top level: not under OR, not in
//   the select list, not inside a subquery), comparing with a constant or query parameter (`= @p`, `= 12`,
//   `IN (@a, @b)`) or `IS NULL`; clustering never counts;
// - billing: each referenced table at least 10 MiB, rounded up to whole MiB.
// A model, not a SQL parser: good for the queries this repository sends and the loopholes its tests name.

export const MIB = 1024 * 1024;
export const MINIMUM_BILLED_BYTES = 10 * MIB;

/** The partitions a query's filter on `column` confines the read of `table` to; undefined when it prunes nothing. */
export function prunedPartitions(sql: string, table: string, column: string): number | undefined {
  const where = whereClauseReading(sql, table);
  if (!where) return undefined;
  if (splitTopLevel(where, 'OR').length > 1) return undefined;
  const conjuncts = splitTopLevel(where, 'AND');
  const name = `(?:\\w+\\.)?${column}`;
  const constant = '(?:@\\w+|-?\\d+)';
  for (const conjunct of conjuncts) {
    const text = conjunct.trim();
    if (new RegExp(`^${name}\\s*(?:=\\s*${constant}|IS\\s+NULL)$`, 'i').test(text)) return 1;
    const list = new RegExp(
      `^${name}\\s+IN\\s*\\(\\s*(${constant}(?:\\s*,\\s*${constant})*)\\s*\\)$`,
      'i',
    ).exec(text);
    if (list) return new Set(list[1]!.split(',').map((value) => value.trim())).size;
  }
  return undefined;
}

/** Columns of `columns` the query reads: all of them for a star select, else those it names. */
export function referencedColumns(sql: string, columns: string[]): string[] {
  const text = sql.replace(/`[^`]*`/g, ' ');
  if (/\bSELECT\s+(?:DISTINCT\s+)?(?:\w+\.)?\*/i.test(text)) return columns;
  return columns.filter((column) => new RegExp(`\\b${column}\\b`, 'i').test(text));
}

const FIXED_WIDTH: Record<string, number> = {
  INTEGER: 8,
  INT64: 8,
  FLOAT: 8,
  FLOAT64: 8,
  BOOLEAN: 1,
  BOOL: 1,
  DATE: 8,
  DATETIME: 8,
  TIME: 8,
  TIMESTAMP: 8,
  NUMERIC: 16,
  BIGNUMERIC: 32,
};

/**
 * The bytes of each column of a table of `numBytes` and `numRows`: fixed-width types at their width per row (BigQuery's
 * logical sizes), what is left shared by the variable-width ones (STRING, BYTES, GEOGRAPHY, RECORD…).
 */
export function columnBytes(
  fields: { name: string; type: string }[],
  numBytes: number,
  numRows: number,
): Map<string, number> {
  const fixed = fields.filter((f) => FIXED_WIDTH[f.type] !== undefined);
  const variable = fields.filter((f) => FIXED_WIDTH[f.type] === undefined);
  const fixedTotal = Math.min(
    numBytes,
    fixed.reduce((sum, f) => sum + FIXED_WIDTH[f.type]! * numRows, 0),
  );
  const scale =
    fixedTotal /
    Math.max(
      1,
      fixed.reduce((sum, f) => sum + FIXED_WIDTH[f.type]! * numRows, 0),
    );
  const rest = variable.length > 0 ? (numBytes - fixedTotal) / variable.length : 0;
  return new Map([
    ...fixed.map((f): [string, number] => [f.name, FIXED_WIDTH[f.type]! * numRows * scale]),
    ...variable.map((f): [string, number] => [f.name, rest]),
  ]);
}

/** Backticked table names a query references (INFORMATION_SCHEMA views excluded: they are metadata). */
export function referencedTables(sql: string): string[] {
  return [...new Set([...sql.matchAll(/`([^`]+)`/g)].map((m) => m[1]!))].filter(
    (name) => !/\.INFORMATION_SCHEMA\./i.test(name),
  );
}

/** Each referenced table billed at least 10 MiB, rounded up to whole MiB. */
export function billedBytes(bytesPerTable: number[]): number {
  const tables = bytesPerTable.length > 0 ? bytesPerTable : [0];
  return tables.reduce((sum, bytes) => sum + Math.max(MINIMUM_BILLED_BYTES, Math.ceil(bytes / MIB) * MIB), 0);
}

/** The WHERE condition of the SELECT whose FROM reads `table` directly (not through a subquery). */
function whereClauseReading(sql: string, table: string): string | undefined {
  const name = table.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const clause =
    '(?:WHERE|FOR|JOIN|LEFT|RIGHT|INNER|CROSS|FULL|GROUP|ORDER|LIMIT|QUALIFY|UNION|WINDOW|HAVING)\\b';
  // an optional alias, which is never a clause keyword
  const from = new RegExp(`\\bFROM\\s+\`${name}\`(?:\\s+(?:AS\\s+)?(?!${clause})\\w+)?`, 'i');
  const found = from.exec(sql);
  if (!found) return undefined;
  const rest = sql.slice(found.index + found[0].length);
  const where = /^\s*(?:FOR\s+SYSTEM_TIME\s+AS\s+OF\s+\S+\s*)?WHERE\b/i.exec(rest);
  if (!where) return undefined;
  const condition = rest.slice(where[0].length);
  // the condition ends at the first clause keyword or closing parenthesis at its own depth
  let depth = 0;
  for (let i = 0; i < condition.length; i++) {
    const char = condition[i]!;
    if (char === '(') depth++;
    else if (char === ')') {
      if (depth === 0) return condition.slice(0, i);
      depth--;
    } else if (depth === 0 && /\s/.test(char)) {
      const next = condition.slice(i + 1);
      if (/^(GROUP\s+BY|HAVING|QUALIFY|WINDOW|ORDER\s+BY|LIMIT|UNION|INTERSECT|EXCEPT)\b/i.test(next))
        return condition.slice(0, i);
    }
  }
  return condition;
}

/** The condition cut at `keyword` where it stands outside any parenthesis (BETWEEN's AND is kept whole). */
function splitTopLevel(condition: string, keyword: 'AND' | 'OR'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let between = false;
  const word = new RegExp(`^${keyword}\\b`, 'i');
  for (let i = 0; i < condition.length; i++) {
    const char = condition[i]!;
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (depth === 0 && /\s/.test(condition[i - 1] ?? ' ')) {
      const next = condition.slice(i);
      if (/^BETWEEN\b/i.test(next)) between = true;
      else if (word.test(next)) {
        if (keyword === 'AND' && between) between = false;
        else {
          parts.push(condition.slice(start, i));
          start = i + keyword.length;
        }
      }
    }
  }
  parts.push(condition.slice(start));
  return parts;
}
