// Copy jobs with caller-chosen ids: a rerun attaches to the job a previous run started (409) instead of starting a
// second one. A job id names one attempt forever, so after a failed attempt the next run uses the next attempt id.
import { createHash } from 'node:crypto';
import type { BigQuery, Job, JobMetadata } from '@google-cloud/bigquery';
import { formatRef, type TableRef } from './table-ref.js';

export type Log = (line: string) => void;

export interface CopyRequest {
  kind: 'copy' | 'switch' | 'rollback';
  source: TableRef;
  /** Milliseconds since the epoch: copy the source as it was then (time-travel decorator `table@<millis>`). */
  sourceTime?: number;
  destination: TableRef;
  writeDisposition: 'WRITE_TRUNCATE' | 'WRITE_EMPTY';
  location: string;
  /**
   * What makes this copy unique besides source and destination: the source snapshot and the destination's state as
   * its labels record it. Not the read time: an attached job may have read another instant of the same source state.
   */
  identity: string;
}

export interface JobRecord {
  kind: CopyRequest['kind'];
  id: string;
  attempt: number;
  /** true when a previous run had already started this job and this run only waited for it. */
  attached: boolean;
  copiedRows?: string;
}

export class JobFailedError extends Error {
  constructor(
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(`job ${jobId} failed: ${reason}`);
  }
}

const MAX_ATTEMPTS = 10;

export function copyJobBaseId(request: CopyRequest): string {
  const key = [
    request.kind,
    formatRef(request.source),
    formatRef(request.destination),
    request.writeDisposition,
  ];
  const hash = createHash('sha256')
    .update(JSON.stringify([...key, request.identity]))
    .digest('hex')
    .slice(0, 24);
  return `replica_${request.kind}_${hash}`;
}

export function copyConfiguration(request: CopyRequest) {
  const suffix = request.sourceTime === undefined ? '' : `@${request.sourceTime}`;
  return {
    copy: {
      sourceTable: { ...request.source, tableId: `${request.source.tableId}${suffix}` },
      destinationTable: { ...request.destination },
      createDisposition: 'CREATE_IF_NEEDED',
      writeDisposition: request.writeDisposition,
    },
  };
}

function errorCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

function reasonOf(metadata: JobMetadata): string | undefined {
  const result = metadata.status?.errorResult;
  return result ? `${result.reason ?? 'error'}: ${result.message ?? ''}` : undefined;
}

export async function runCopyJob(
  bigquery: BigQuery,
  request: CopyRequest,
  log: Log,
  pollMs: number,
): Promise<JobRecord> {
  const baseId = copyJobBaseId(request);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const id = `${baseId}_a${attempt}`;
    const job = bigquery.job(id, { location: request.location });
    let attached = false;
    try {
      await bigquery.createJob({
        jobId: id,
        location: request.location,
        configuration: copyConfiguration(request),
      });
      log(`${request.kind} job ${id} started`);
    } catch (error) {
      const response = (error as { response?: JobMetadata }).response;
      if (response?.status?.errorResult) throw new JobFailedError(id, reasonOf(response)!);
      if (errorCode(error) !== 409) throw error;
      const [existing] = await job.getMetadata();
      const failure = reasonOf(existing);
      if (existing.status?.state === 'DONE' && failure) {
        log(`${request.kind} job ${id} exists and had failed (${failure}); trying attempt ${attempt + 1}`);
        continue;
      }
      attached = true;
      log(`${request.kind} job ${id} already exists (${existing.status?.state}): attaching to it`);
    }
    const done = await waitForJob(job, request.kind, log, pollMs);
    const failure = reasonOf(done);
    if (failure) throw new JobFailedError(id, failure);
    return {
      kind: request.kind,
      id,
      attempt,
      attached,
      copiedRows: done.statistics?.copy?.copiedRows ?? undefined,
    };
  }
  throw new Error(`${MAX_ATTEMPTS} attempts of ${baseId} failed; see the jobs in the BigQuery console`);
}

export async function waitForJob(job: Job, label: string, log: Log, pollMs: number): Promise<JobMetadata> {
  const started = Date.now();
  for (;;) {
    const [metadata] = await job.getMetadata();
    if (metadata.status?.state === 'DONE') {
      log(`${label} job ${job.id} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return metadata;
    }
    log(
      `${label} job ${job.id}: ${metadata.status?.state ?? 'PENDING'} (${Math.round((Date.now() - started) / 1000)} s)`,
    );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
