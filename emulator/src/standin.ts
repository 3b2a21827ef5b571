// A BigQuery REST stand-in for API tests: rows, SQL and metadata come from the emulator (every call is forwarded to
// it); this server adds what the emulator does not model and what decides cost and latency in BigQuery:
// - sizes: a test declares a table's real size (bytes, rows, range partitions) and tables.get reports it;
// - the bytes-billed cap, checked before the query runs against BigQuery's estimate: the bytes of every partition
//   the WHERE clause cannot exclude. Partition pruning counts (an equality on the partitioning column), clustering
//   does not (a capped query on a clustered table is refused on its unpruned estimate);
// - billing: at least 10 MiB per referenced table, rounded up to whole MiB (totalBytesBilled next to processed);
// - jobCreationMode: JOB_CREATION_OPTIONAL answers without a jobReference (no job), anything else creates a job;
// - held queries: jobs.query waits its timeoutMs and answers jobComplete: false with a job that runs until cancelled.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MIB = 1024 * 1024;
export const MINIMUM_BILLED_BYTES = 10 * MIB;

export interface DeclaredTable {
  numBytes: number;
  numRows: number;
  /** Integer-range partitioning on this column into `count` partitions, the largest of `largestPartitionBytes`. */
  partitioning?: { column: string; count: number; largestPartitionBytes: number };
}

export interface QueryRecord {
  sql: string;
  jobCreationMode?: string;
  maximumBytesBilled?: string;
  estimatedBytes: number;
  refused: boolean;
  jobCreated: boolean;
}

export interface BigQueryStandIn {
  /** The value for BIGQUERY_EMULATOR_HOST. */
  host: string;
  declare(tableId: string, table: DeclaredTable): void;
  queries: QueryRecord[];
  /** `METHOD /path?query` of every request, in order. */
  requests: string[];
  cancelledJobs: string[];
  /** Held queries never complete: jobs.query answers jobComplete: false after its timeoutMs. */
  holdQueries: boolean;
  stop(): Promise<void>;
}

const BASE = '/bigquery/v2';
const TABLE_NAME = /`([^`]+)`/g;

export function billedBytes(estimatedBytes: number, tables = 1): number {
  return Math.max(MINIMUM_BILLED_BYTES * tables, Math.ceil(estimatedBytes / MIB) * MIB);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function apiError(res: ServerResponse, status: number, reason: string, message: string): void {
  sendJson(res, status, {
    error: {
      code: status,
      message,
      status: 'INVALID_ARGUMENT',
      errors: [{ message, domain: 'global', reason }],
    },
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface QueryRequest {
  query: string;
  jobCreationMode?: string;
  maximumBytesBilled?: string;
  timeoutMs?: number;
}

export async function startBigQueryStandIn(emulatorHost: string): Promise<BigQueryStandIn> {
  const declared = new Map<string, DeclaredTable>();
  let held = 0;

  async function emulatorTableBytes(id: string): Promise<number> {
    const [projectId, datasetId, tableId] = id.split('.');
    const res = await fetch(`${emulatorHost}/projects/${projectId}/datasets/${datasetId}/tables/${tableId}`);
    return res.ok ? Number(((await res.json()) as { numBytes?: string }).numBytes ?? 0) : 0;
  }

  /** BigQuery's estimate: every referenced table in full, except partitions an equality filter excludes. */
  async function estimate(sql: string): Promise<{ bytes: number; tables: number }> {
    const tables = [...new Set([...sql.matchAll(TABLE_NAME)].map((m) => m[1]!))];
    let bytes = 0;
    for (const id of tables) {
      const table = declared.get(id);
      if (!table) {
        bytes += await emulatorTableBytes(id);
        continue;
      }
      const partitioning = table.partitioning;
      const pruned =
        partitioning &&
        new RegExp(`\\b${partitioning.column}\\s*(=\\s*(@\\w+|-?\\d+)|IS\\s+NULL)`, 'i').test(sql);
      bytes += pruned ? partitioning.largestPartitionBytes : table.numBytes;
    }
    return { bytes, tables: Math.max(tables.length, 1) };
  }

  /** INFORMATION_SCHEMA.PARTITIONS of a declared table: its largest partition (the emulator knows no sizes). */
  function partitionSizes(
    body: QueryRequest & { queryParameters?: { parameterValue: { value: string } }[] },
  ) {
    const dataset = body.query.match(/`([^`.]+)\.([^`.]+)\.INFORMATION_SCHEMA\.PARTITIONS`/);
    const tableName = body.queryParameters?.[0]?.parameterValue.value;
    const table = dataset && declared.get(`${dataset[1]}.${dataset[2]}.${tableName}`);
    if (!dataset || !table?.partitioning) return undefined;
    server.queries.push({
      sql: body.query,
      jobCreationMode: body.jobCreationMode,
      maximumBytesBilled: body.maximumBytesBilled,
      estimatedBytes: 0,
      refused: false,
      jobCreated: body.jobCreationMode !== 'JOB_CREATION_OPTIONAL',
    });
    const queryId = `partitions_${server.queries.length}`;
    const optional = body.jobCreationMode === 'JOB_CREATION_OPTIONAL';
    return {
      kind: 'bigquery#queryResponse',
      // BigQuery always names the query: a queryId without a job, a jobReference with one
      queryId,
      ...(optional ? {} : { jobReference: { projectId: dataset[1], jobId: queryId, location: 'US' } }),
      jobComplete: true,
      schema: { fields: [{ name: 'largest', type: 'INTEGER', mode: 'NULLABLE' }] },
      rows: [{ f: [{ v: String(table.partitioning.largestPartitionBytes) }] }],
      totalRows: '1',
      totalBytesProcessed: '0',
      totalBytesBilled: String(MINIMUM_BILLED_BYTES),
    };
  }

  async function query(res: ServerResponse, projectId: string, raw: string, body: QueryRequest) {
    const partitions = partitionSizes(body);
    if (partitions) return sendJson(res, 200, partitions);
    const { bytes, tables } = await estimate(body.query);
    const billed = billedBytes(bytes, tables);
    const optional = body.jobCreationMode === 'JOB_CREATION_OPTIONAL';
    const record: QueryRecord = {
      sql: body.query,
      jobCreationMode: body.jobCreationMode,
      maximumBytesBilled: body.maximumBytesBilled,
      estimatedBytes: bytes,
      refused: false,
      jobCreated: false,
    };
    server.queries.push(record);
    if (body.maximumBytesBilled !== undefined && billed > Number(body.maximumBytesBilled)) {
      record.refused = true;
      return apiError(
        res,
        400,
        'bytesBilledLimitExceeded',
        `Query exceeded limit for bytes billed: ${body.maximumBytesBilled}. ${billed} or higher required.`,
      );
    }
    if (server.holdQueries) {
      record.jobCreated = true;
      const jobId = `held_${++held}`;
      await new Promise((resolve) => setTimeout(resolve, Math.min(body.timeoutMs ?? 10_000, 10_000)));
      return sendJson(res, 200, {
        kind: 'bigquery#queryResponse',
        jobReference: { projectId, jobId, location: 'US' },
        jobComplete: false,
      });
    }
    const forwarded = await fetch(`${emulatorHost}/projects/${projectId}/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    const json = (await forwarded.json()) as Record<string, unknown>;
    if (!forwarded.ok) return sendJson(res, forwarded.status, json);
    json.totalBytesProcessed = String(bytes);
    json.totalBytesBilled = String(billed);
    if (optional) {
      delete json.jobReference;
      delete json.jobCreationReason;
    } else {
      record.jobCreated = true;
    }
    sendJson(res, 200, json);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, url: URL, raw: string) {
    const path = url.pathname.slice(BASE.length) + url.search;
    const response = await fetch(`${emulatorHost}${path}`, {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      body: raw && req.method !== 'GET' ? raw : undefined,
    });
    const text = await response.text();
    const table = url.pathname.match(/\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/);
    const size = table && req.method === 'GET' && response.ok && declared.get(table.slice(1).join('.'));
    if (!size) {
      res.writeHead(response.status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(text);
      return;
    }
    const json = JSON.parse(text) as Record<string, unknown>;
    json.numBytes = String(size.numBytes);
    json.numRows = String(size.numRows);
    if (size.partitioning) {
      const { column, count } = size.partitioning;
      json.rangePartitioning = { field: column, range: { start: '0', end: String(count), interval: '1' } };
    }
    sendJson(res, 200, json);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    server.requests.push(`${req.method} ${url.pathname.slice(BASE.length)}${url.search}`);
    const queries = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/queries$/);
    if (queries && req.method === 'POST') {
      return query(res, queries[1]!, raw, JSON.parse(raw) as QueryRequest);
    }
    const cancel = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/jobs\/([^/]+)\/cancel$/);
    if (cancel && req.method === 'POST') {
      server.cancelledJobs.push(cancel[2]!);
      return sendJson(res, 200, {
        kind: 'bigquery#jobCancelResponse',
        job: { jobReference: { projectId: cancel[1], jobId: cancel[2] }, status: { state: 'DONE' } },
      });
    }
    const insert = url.pathname.match(/^\/bigquery\/v2\/projects\/[^/]+\/jobs$/);
    if (insert && req.method === 'POST') {
      const configuration = (JSON.parse(raw) as { configuration?: { query?: { query?: string } } })
        .configuration;
      if (configuration?.query?.query) {
        const { bytes } = await estimate(configuration.query.query);
        server.queries.push({
          sql: configuration.query.query,
          estimatedBytes: bytes,
          refused: false,
          jobCreated: true,
        });
      }
    }
    return forward(req, res, url, raw);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((error: Error) => apiError(res, 500, 'internalError', error.message));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server: BigQueryStandIn = {
    host: `http://127.0.0.1:${port}${BASE}`,
    declare: (tableId, table) => {
      declared.set(tableId, table);
    },
    queries: [],
    requests: [],
    cancelledJobs: [],
    holdQueries: false,
    stop: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}
