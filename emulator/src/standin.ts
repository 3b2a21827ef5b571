// A BigQuery REST stand-in for the API and replica tests: rows, SQL and metadata come from the emulator (every call is
// forwarded to it); this server adds what the emulator does not model and what decides cost and latency in BigQuery:
// - sizes: a test declares a table's real size (bytes, rows, range partitions, location) and tables.get reports it;
// - the estimate made before running (query-estimate.ts): the columns the query names, in the partitions a top-level
//   ANDed filter on the partitioning column confines it to (clustering never counts); dry runs answer it;
// - the bytes-billed cap, checked against that estimate on jobs.query and on jobs.insert (a failed job);
// - billing: each referenced table at least 10 MiB, rounded up to whole MiB (totalBytesBilled next to processed);
// - INFORMATION_SCHEMA.PARTITIONS of a declared table, answered only in the dataset's location (as BigQuery does);
// - jobCreationMode: JOB_CREATION_OPTIONAL answers without a jobReference (no job), anything else creates a job;
// - held queries: jobs.query waits its timeoutMs and answers jobComplete: false with a job that runs until cancelled;
// - injected failures on jobs.query (`fault`): slow answers, no answer, 5xx, quota and rate-limit errors, a cut body.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  MIB,
  MINIMUM_BILLED_BYTES,
  billedBytes,
  columnBytes,
  prunedPartitions,
  referencedColumns,
  referencedTables,
} from './query-estimate.js';

export { MIB, MINIMUM_BILLED_BYTES, billedBytes };

export interface DeclaredTable {
  numBytes: number;
  numRows: number;
  /** Integer-range partitioning on this column into `count` partitions, the largest of `largestPartitionBytes`. */
  partitioning?: { column: string; count: number; largestPartitionBytes: number };
  /** The dataset's location (INFORMATION_SCHEMA answers only there); default US, the sample data's. */
  location?: string;
}

export interface QueryRecord {
  sql: string;
  jobCreationMode?: string;
  maximumBytesBilled?: string;
  estimatedBytes: number;
  refused: boolean;
  jobCreated: boolean;
  /** Sent with jobs.insert (a job) rather than jobs.query. */
  inserted?: boolean;
  dryRun?: boolean;
}

/** A failure BigQuery gives and the emulator cannot, injected on every jobs.query while set ('none': none). */
export type QueryFault =
  'none' | 'slow' | 'hang' | 'server-error' | 'quota' | 'too-many-requests' | 'malformed';

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
  fault: QueryFault;
  /** How long a `slow` jobs.query waits before it is answered. */
  slowMs: number;
  /** Runs once, before the next query job (jobs.insert, not a dry run) is judged: e.g. a table grows meanwhile. */
  beforeNextQueryJob?: () => void | Promise<void>;
  stop(): Promise<void>;
}

const BASE = '/bigquery/v2';

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
  location?: string;
  queryParameters?: { parameterValue: { value: string } }[];
}

const capExceeded = (cap: string | undefined, billed: number) => cap !== undefined && billed > Number(cap);
const capMessage = (cap: string | undefined, billed: number) =>
  `Query exceeded limit for bytes billed: ${cap}. ${billed} or higher required.`;

/** BigQuery's error answers for the injected faults (a `malformed` answer is cut mid-body). */
function injectFault(res: ServerResponse, fault: QueryFault): void {
  const error = (status: number, reason: string, message: string) =>
    sendJson(res, status, { error: { code: status, message, errors: [{ reason, message }] } });
  if (fault === 'server-error') return error(500, 'backendError', 'backendError: internal at line 42');
  if (fault === 'quota') return error(403, 'quotaExceeded', 'Quota exceeded: too many concurrent queries');
  if (fault === 'too-many-requests') return error(429, 'rateLimitExceeded', 'Too many requests');
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end('{"kind": "bigquery#queryRe');
}

export async function startBigQueryStandIn(emulatorHost: string): Promise<BigQueryStandIn> {
  const declared = new Map<string, DeclaredTable>();
  const failedJobs = new Map<string, Record<string, unknown>>();
  let held = 0;
  let jobs = 0;

  async function emulatorTable(id: string) {
    const [projectId, datasetId, tableId] = id.split('.');
    const res = await fetch(`${emulatorHost}/projects/${projectId}/datasets/${datasetId}/tables/${tableId}`);
    return res.ok
      ? ((await res.json()) as { numBytes?: string; schema?: { fields?: { name: string; type: string }[] } })
      : undefined;
  }

  /** BigQuery's estimate, per referenced table: the columns read, in the partitions not pruned. */
  async function estimate(sql: string): Promise<{ bytes: number; billed: number }> {
    const perTable: number[] = [];
    for (const id of referencedTables(sql)) {
      const table = declared.get(id);
      const metadata = await emulatorTable(id);
      if (!table) {
        perTable.push(Number(metadata?.numBytes ?? 0));
        continue;
      }
      const fields = metadata?.schema?.fields ?? [];
      const columns = columnBytes(fields, table.numBytes, table.numRows);
      const read = referencedColumns(
        sql,
        fields.map((f) => f.name),
      ).reduce((sum, column) => sum + (columns.get(column) ?? 0), 0);
      const p = table.partitioning;
      const partitions = p && prunedPartitions(sql, id, p.column);
      perTable.push(
        p && partitions
          ? Math.min(read, (partitions * p.largestPartitionBytes * read) / table.numBytes)
          : read,
      );
    }
    const bytes = Math.ceil(perTable.reduce((sum, b) => sum + b, 0));
    return { bytes, billed: billedBytes(perTable) };
  }

  /**
   * INFORMATION_SCHEMA.PARTITIONS of a declared table: its largest partition (the emulator knows no sizes). Like
   * BigQuery, a dataset's INFORMATION_SCHEMA is found only by a query run in that dataset's location.
   */
  function partitionSizes(res: ServerResponse, body: QueryRequest): boolean {
    const dataset = body.query.match(/`([^`.]+)\.([^`.]+)\.INFORMATION_SCHEMA\.PARTITIONS`/);
    const tableName = body.queryParameters?.[0]?.parameterValue.value;
    const table = dataset && declared.get(`${dataset[1]}.${dataset[2]}.${tableName}`);
    if (!dataset || !table?.partitioning) return false;
    const location = table.location ?? 'US';
    if ((body.location ?? 'US').toUpperCase() !== location.toUpperCase()) {
      apiError(
        res,
        404,
        'notFound',
        `Not found: Dataset ${dataset[1]}:${dataset[2]} was not found in location ${body.location ?? 'US'}`,
      );
      return true;
    }
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
    sendJson(res, 200, {
      kind: 'bigquery#queryResponse',
      // BigQuery always names the query: a queryId without a job, a jobReference with one
      queryId,
      ...(optional ? {} : { jobReference: { projectId: dataset[1], jobId: queryId, location } }),
      jobComplete: true,
      schema: { fields: [{ name: 'largest', type: 'INTEGER', mode: 'NULLABLE' }] },
      rows: [{ f: [{ v: String(table.partitioning.largestPartitionBytes) }] }],
      totalRows: '1',
      totalBytesProcessed: '0',
      totalBytesBilled: String(MINIMUM_BILLED_BYTES),
    });
    return true;
  }

  async function query(res: ServerResponse, projectId: string, raw: string, body: QueryRequest) {
    if (partitionSizes(res, body)) return;
    const { bytes, billed } = await estimate(body.query);
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
    if (capExceeded(body.maximumBytesBilled, billed)) {
      record.refused = true;
      return apiError(res, 400, 'bytesBilledLimitExceeded', capMessage(body.maximumBytesBilled, billed));
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
    if (size.location) json.location = size.location;
    if (size.partitioning) {
      const { column, count } = size.partitioning;
      json.rangePartitioning = { field: column, range: { start: '0', end: String(count), interval: '1' } };
    }
    sendJson(res, 200, json);
  }

  interface InsertedJob {
    jobReference?: { jobId?: string; location?: string };
    configuration?: { dryRun?: boolean; query?: { query?: string; maximumBytesBilled?: string } };
  }

  /**
   * jobs.insert of a query: judged on the same estimate as jobs.query. A dry run answers the estimate; a query over its
   * cap becomes a failed job (DONE with errorResult bytesBilledLimitExceeded), run and billed never.
   */
  async function insertJob(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    raw: string,
    projectId: string,
  ) {
    const body = JSON.parse(raw) as InsertedJob;
    const sql = body.configuration?.query?.query;
    if (!sql) return forward(req, res, url, raw);
    const dryRun = body.configuration?.dryRun === true;
    const hook = dryRun ? undefined : server.beforeNextQueryJob;
    if (hook) {
      server.beforeNextQueryJob = undefined;
      await hook();
    }
    const { bytes, billed } = await estimate(sql);
    const cap = body.configuration?.query?.maximumBytesBilled;
    const record: QueryRecord = {
      sql,
      maximumBytesBilled: cap,
      estimatedBytes: bytes,
      refused: !dryRun && capExceeded(cap, billed),
      jobCreated: !dryRun,
      inserted: true,
      dryRun,
    };
    server.queries.push(record);
    if (record.refused) {
      const jobId = body.jobReference?.jobId ?? `standin_failed_${++jobs}`;
      const errorResult = { reason: 'bytesBilledLimitExceeded', message: capMessage(cap, billed) };
      const job = {
        kind: 'bigquery#job',
        id: `${projectId}:${body.jobReference?.location ?? 'US'}.${jobId}`,
        jobReference: { projectId, jobId, location: body.jobReference?.location ?? 'US' },
        configuration: body.configuration,
        status: { state: 'DONE', errorResult, errors: [errorResult] },
        statistics: { creationTime: String(Date.now()), endTime: String(Date.now()) },
      };
      failedJobs.set(jobId, job);
      return sendJson(res, 200, job);
    }
    if (!dryRun) return forward(req, res, url, raw);
    const forwarded = await fetch(`${emulatorHost}${url.pathname.slice(BASE.length)}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    const json = (await forwarded.json()) as { statistics?: Record<string, unknown> & { query?: object } };
    if (forwarded.ok) {
      json.statistics = {
        ...json.statistics,
        totalBytesProcessed: String(bytes),
        query: { ...json.statistics?.query, totalBytesProcessed: String(bytes) },
      };
    }
    sendJson(res, forwarded.status, json);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    server.requests.push(`${req.method} ${url.pathname.slice(BASE.length)}${url.search}`);
    const queries = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/queries$/);
    if (queries && req.method === 'POST') {
      const fault = server.fault;
      if (fault === 'hang') return; // never answered: the client's own timeout decides
      if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, server.slowMs));
      else if (fault !== 'none') return injectFault(res, fault);
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
    const insert = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/jobs$/);
    if (insert && req.method === 'POST') return insertJob(req, res, url, raw, insert[1]!);
    const job = url.pathname.match(/^\/bigquery\/v2\/projects\/[^/]+\/jobs\/([^/]+)$/);
    if (job && req.method === 'GET' && failedJobs.has(job[1]!))
      return sendJson(res, 200, failedJobs.get(job[1]!));
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
    fault: 'none',
    slowMs: 1500,
    stop: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}
