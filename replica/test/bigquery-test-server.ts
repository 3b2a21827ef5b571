// A BigQuery REST front for tests: storage and GoogleSQL come from the real emulator (local-bigquery) behind the
// BigQuery stand-in (emulator/src/standin.ts: query estimates, dry runs and the bytes-billed cap, on jobs.query and
// jobs.insert), to which every other call is forwarded; this server adds the copy-job behaviours the replica relies on
// and neither of them models:
// - copy jobs as BigQuery runs them: jobs.insert answers PENDING/RUNNING, jobs.get reports RUNNING for `runningPolls`
//   polls, then DONE; failures are DONE + status.errorResult; the destination changes only when the job succeeds
//   ("creation, truncation and append actions occur as one atomic update upon job completion"); the destination takes
//   the source's partitioning and clustering (local-bigquery's copy drops both);
// - 409 Already Exists on a duplicate job id, failed jobs included (a job id is used once, forever);
// - locations: every dataset a copy job touches must be in the job's location (404 "not found in location" otherwise),
//   and jobs.get with another location is a 404;
// - writeDisposition WRITE_EMPTY ('duplicate' error on a non-empty table) and createDisposition CREATE_NEVER;
// - lastModifiedTime moves on every data or metadata change (local-bigquery 0.3.2 leaves it at the creation time);
//   with stampBeforeCommit it is the request's arrival, before the commit (BigQuery's is truncated to the millisecond);
// - fault injection: a copy job that fails mid-way, a copy job that writes a corrupted copy or one clustered otherwise,
//   a hook before a copy runs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

interface TableReference {
  projectId: string;
  datasetId: string;
  tableId: string;
}

interface CopyConfig {
  sourceTable: TableReference;
  destinationTable: TableReference;
  createDisposition?: string;
  writeDisposition?: string;
}

interface CopyJob {
  resource: Record<string, unknown> & { status: Record<string, unknown> };
  copy: CopyConfig;
  location: string;
  polls: number;
  fault?: 'fail' | 'corrupt' | 'relayout';
  /** Set once the job starts executing, so that concurrent pollers do not run it twice. */
  execution?: Promise<void>;
}

export interface BigQueryTestServer {
  /** The value for BIGQUERY_EMULATOR_HOST. */
  host: string;
  /** The value for the client's apiEndpoint. */
  endpoint: string;
  requests: RecordedRequest[];
  /** Ids of the copy jobs this server created (409 answers excluded). */
  copyJobsCreated: string[];
  duplicateJobInserts: number;
  /** Data changes report a lastModifiedTime earlier than their commit (BigQuery's truncated milliseconds). */
  stampBeforeCommit: boolean;
  /** jobs.get calls a copy job stays RUNNING for (BigQuery jobs take a while). */
  runningPolls: number;
  /** The next copy job created fails mid-way (DONE with errorResult), writing nothing. */
  failNextCopyJob(): void;
  /** The next copy job created succeeds but leaves one row duplicated in its destination. */
  corruptNextCopyJob(): void;
  /** The next copy job created succeeds but clusters its destination on another column than the source. */
  relayoutNextCopyJob(): void;
  /** Runs once, right before the next copy job reads its source. */
  beforeNextCopy?: () => Promise<void>;
  /** Requests that change something: everything but GETs and dry-run query jobs. */
  writes(): RecordedRequest[];
  stop(): Promise<void>;
}

const BASE = '/bigquery/v2';

function apiError(res: ServerResponse, code: number, reason: string, message: string): void {
  const status = { 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS', 400: 'INVALID_ARGUMENT' }[code] ?? 'UNKNOWN';
  sendJson(res, code, { error: { code, message, status, errors: [{ message, domain: 'global', reason }] } });
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isDone(job: Record<string, unknown>): boolean {
  return (job.status as { state?: string } | undefined)?.state === 'DONE';
}

function key(ref: TableReference): string {
  return `${ref.projectId}.${ref.datasetId}.${ref.tableId}`;
}

export async function startBigQueryTestServer(emulatorHost: string): Promise<BigQueryTestServer> {
  const jobs = new Map<string, CopyJob>();
  const lastModified = new Map<string, number>();
  let nextFault: CopyJob['fault'];

  async function emulator(method: string, path: string, body?: unknown) {
    const response = await fetch(`${emulatorHost}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function datasetLocation(projectId: string, datasetId: string): Promise<string | undefined> {
    const { status, json } = await emulator('GET', `/projects/${projectId}/datasets/${datasetId}`);
    return status === 200 ? String(json.location) : undefined;
  }

  async function tableInfo(ref: TableReference) {
    const { status, json } = await emulator(
      'GET',
      `/projects/${ref.projectId}/datasets/${ref.datasetId}/tables/${ref.tableId}`,
    );
    return status === 200 ? json : undefined;
  }

  function fail(job: CopyJob, reason: string, message: string): void {
    job.resource.status = { state: 'DONE', errorResult: { reason, message }, errors: [{ reason, message }] };
  }

  /** Runs a copy job to completion; the destination is touched only on the success path. */
  async function execute(job: CopyJob): Promise<void> {
    const { sourceTable, destinationTable, createDisposition, writeDisposition } = job.copy;
    const source = { ...sourceTable, tableId: sourceTable.tableId.replace(/@.*$/, '') };
    if (job.fault === 'fail')
      return fail(job, 'backendError', 'injected failure: the copy job failed mid-way');
    if (!(await tableInfo(source))) return fail(job, 'notFound', `Not found: Table ${key(source)}`);
    const existing = await tableInfo(destinationTable);
    if (!existing && createDisposition === 'CREATE_NEVER') {
      return fail(job, 'notFound', `Not found: Table ${key(destinationTable)}`);
    }
    if (existing && (writeDisposition ?? 'WRITE_EMPTY') === 'WRITE_EMPTY' && Number(existing.numRows) > 0) {
      return fail(job, 'duplicate', `Already Exists: Table ${key(destinationTable)}`);
    }
    const hook = server.beforeNextCopy;
    server.beforeNextCopy = undefined;
    await hook?.();
    const ref = job.resource.jobReference as { projectId: string; jobId: string };
    let copied = await emulator('POST', `/projects/${ref.projectId}/jobs`, {
      jobReference: { projectId: ref.projectId, jobId: `testserver_${ref.jobId}`, location: job.location },
      configuration: { copy: { ...job.copy, writeDisposition: 'WRITE_TRUNCATE' } },
    });
    // local-bigquery runs jobs in a thread pool: its insert answers PENDING; wait (bounded) for its DONE.
    for (let poll = 0; poll < 600 && copied.status === 200 && !isDone(copied.json); poll++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      copied = await emulator('GET', `/projects/${ref.projectId}/jobs/testserver_${ref.jobId}?location=US`);
    }
    const errorResult = (copied.json.status as { errorResult?: { message?: string } } | undefined)
      ?.errorResult;
    if (copied.status !== 200 || errorResult || !isDone(copied.json)) {
      return fail(
        job,
        'invalid',
        `copy failed in the emulator: ${JSON.stringify(copied.json).slice(0, 300)}`,
      );
    }
    const { rangePartitioning, timePartitioning, clustering } = (await tableInfo(source)) ?? {};
    const tablePath = `/projects/${destinationTable.projectId}/datasets/${destinationTable.datasetId}/tables/${destinationTable.tableId}`;
    await emulator('PATCH', tablePath, {
      rangePartitioning,
      timePartitioning,
      clustering: job.fault === 'relayout' ? { fields: ['carto_partition'] } : clustering,
    });
    if (job.fault === 'corrupt') {
      const table = `\`${key(destinationTable)}\``;
      await emulator('POST', `/projects/${ref.projectId}/queries`, {
        query: `INSERT INTO ${table} SELECT * FROM ${table} LIMIT 1`,
        useLegacySql: false,
        location: job.location,
      });
    }
    lastModified.set(key(destinationTable), Date.now());
    const after = await tableInfo(destinationTable);
    job.resource.status = { state: 'DONE' };
    job.resource.statistics = {
      ...(job.resource.statistics as object),
      endTime: String(Date.now()),
      copy: { copiedRows: String(after?.numRows ?? '0'), copiedLogicalBytes: String(after?.numBytes ?? '0') },
    };
  }

  async function insertCopyJob(res: ServerResponse, projectId: string, body: Record<string, unknown>) {
    const reference = (body.jobReference ?? {}) as { jobId?: string; location?: string };
    const jobId = reference.jobId ?? `job_${Math.random().toString(36).slice(2)}`;
    if (jobs.has(jobId)) {
      server.duplicateJobInserts++;
      return apiError(res, 409, 'duplicate', `Already Exists: Job ${projectId}:${jobId}`);
    }
    const copy = (body.configuration as { copy: CopyConfig }).copy;
    const source = copy.sourceTable;
    const sourceLocation = await datasetLocation(source.projectId, source.datasetId);
    const location = reference.location ?? sourceLocation ?? 'US';
    for (const dataset of [source, copy.destinationTable]) {
      const found = await datasetLocation(dataset.projectId, dataset.datasetId);
      if (!found || found.toUpperCase() !== location.toUpperCase()) {
        return apiError(
          res,
          404,
          'notFound',
          `Not found: Dataset ${dataset.projectId}:${dataset.datasetId} was not found in location ${location}`,
        );
      }
    }
    const job: CopyJob = {
      copy,
      location,
      polls: 0,
      fault: nextFault,
      resource: {
        kind: 'bigquery#job',
        id: `${projectId}:${location}.${jobId}`,
        jobReference: { projectId, jobId, location },
        configuration: { jobType: 'COPY', copy },
        status: { state: 'RUNNING' },
        statistics: { creationTime: String(Date.now()), startTime: String(Date.now()) },
      },
    };
    nextFault = undefined;
    jobs.set(jobId, job);
    server.copyJobsCreated.push(jobId);
    sendJson(res, 200, job.resource);
  }

  async function getJob(res: ServerResponse, url: URL, job: CopyJob, projectId: string, jobId: string) {
    const location = url.searchParams.get('location');
    if (location && location.toUpperCase() !== job.location.toUpperCase()) {
      return apiError(res, 404, 'notFound', `Not found: Job ${projectId}:${location}.${jobId}`);
    }
    job.polls++;
    if (job.polls > server.runningPolls) await (job.execution ??= execute(job));
    sendJson(res, 200, job.resource);
  }

  async function forward(req: IncomingMessage, res: ServerResponse, url: URL, raw: string, body: unknown) {
    const path = url.pathname.slice(BASE.length) + url.search;
    const arrived = Date.now();
    const response = await fetch(`${emulatorHost}${path}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: raw && req.method !== 'GET' ? raw : undefined,
    });
    const text = await response.text();
    if (!response.ok || !text) {
      res.writeHead(response.status, {
        'content-type': response.headers.get('content-type') ?? 'application/json',
      });
      res.end(text);
      return;
    }
    const json = JSON.parse(text) as Record<string, unknown>;
    const table = url.pathname.match(
      /\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+?)(\/insertAll)?$/,
    );
    if (table) {
      const id = `${table[1]}.${table[2]}.${table[3]}`;
      if (req.method === 'DELETE') lastModified.delete(id);
      else if (req.method !== 'GET') lastModified.set(id, server.stampBeforeCommit ? arrived : Date.now());
      const tracked = lastModified.get(id);
      if (req.method !== 'DELETE' && !table[4] && tracked) {
        json.lastModifiedTime = String(Math.max(tracked, Number(json.lastModifiedTime ?? 0)));
      }
    }
    const created = url.pathname.match(/\/projects\/([^/]+)\/datasets\/([^/]+)\/tables$/);
    if (created && req.method === 'POST') {
      lastModified.set(
        `${created[1]}.${created[2]}.${(body as { tableReference: { tableId: string } }).tableReference.tableId}`,
        Date.now(),
      );
    }
    sendJson(res, response.status, json);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    server.requests.push({ method: req.method ?? 'GET', path: url.pathname.slice(BASE.length), body });
    const jobsPath = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/jobs(?:\/([^/]+))?$/);
    if (jobsPath && req.method === 'POST' && !jobsPath[2]) {
      const insert = body as Record<string, unknown>;
      if ((insert.configuration as { copy?: unknown } | undefined)?.copy) {
        return insertCopyJob(res, jobsPath[1]!, insert);
      }
    }
    if (jobsPath && req.method === 'GET' && jobsPath[2] && jobs.has(jobsPath[2])) {
      return getJob(res, url, jobs.get(jobsPath[2])!, jobsPath[1]!, jobsPath[2]);
    }
    return forward(req, res, url, raw, body);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((error: Error) =>
      apiError(res, 500, 'internalError', error.stack ?? error.message),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const server: BigQueryTestServer = {
    host: `http://127.0.0.1:${port}${BASE}`,
    endpoint: `http://127.0.0.1:${port}`,
    requests: [],
    copyJobsCreated: [],
    duplicateJobInserts: 0,
    stampBeforeCommit: false,
    runningPolls: 1,
    failNextCopyJob: () => void (nextFault = 'fail'),
    corruptNextCopyJob: () => void (nextFault = 'corrupt'),
    relayoutNextCopyJob: () => void (nextFault = 'relayout'),
    writes() {
      return server.requests.filter((request) => {
        if (request.method === 'GET') return false;
        const configuration = (request.body as { configuration?: { dryRun?: boolean } } | undefined)
          ?.configuration;
        return !configuration?.dryRun;
      });
    },
    stop: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
  return server;
}
