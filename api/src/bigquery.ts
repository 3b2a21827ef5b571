// The only module that talks to BigQuery. Table references in SQL come from BigQuery's own metadata answer for an
// allow-listed, pattern-checked id; every value (z, x, y) is a query parameter.
import { BigQuery, type Query } from '@google-cloud/bigquery';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Config } from './config.js';
import { fromBigQueryError, notFound, queryTimeout } from './errors.js';
import type { Metrics, QueryKind } from './metrics.js';
import { formatTableRef, type TableRef } from './table-id.js';
import { tracer } from './tracing.js';

export interface TableInfo {
  ref: TableRef;
  location: string;
  lastModified: Date;
  /** column name → BigQuery type (top-level columns only) */
  columns: Map<string, string>;
}

export type Row = Record<string, unknown>;

interface QueryPage {
  rows: Row[];
  next: { job: { getQueryResults(q: object): Promise<unknown[]> } } | null;
  bytesProcessed: number;
}

const METADATA_CACHE_SIZE = 1000;

export class BigQueryReader {
  private readonly client: BigQuery;
  private readonly tables = new Map<string, { info: TableInfo; expires: number }>();

  constructor(
    private readonly config: Config,
    private readonly metrics: Metrics,
  ) {
    // BIGQUERY_EMULATOR_HOST, when set, is honoured by the client itself: one code path for emulator and BigQuery.
    this.client = new BigQuery({
      projectId: config.projectId,
      retryOptions: { autoRetry: config.maxRetries > 0, maxRetries: config.maxRetries },
    });
  }

  async table(ref: TableRef): Promise<TableInfo> {
    const key = formatTableRef(ref);
    const cached = this.tables.get(key);
    if (cached && cached.expires > Date.now()) return cached.info;
    const [metadata] = await this.call('metadata', () =>
      this.client.dataset(ref.datasetId, { projectId: ref.projectId }).table(ref.tableId).getMetadata(),
    );
    const reference = metadata.tableReference as TableRef | undefined;
    if (!reference) throw notFound('table not found');
    const info: TableInfo = {
      ref: { projectId: reference.projectId, datasetId: reference.datasetId, tableId: reference.tableId },
      location: metadata.location ?? 'US',
      lastModified: new Date(Number(metadata.lastModifiedTime ?? metadata.creationTime ?? 0)),
      columns: new Map(
        ((metadata.schema?.fields ?? []) as { name: string; type: string }[]).map((f) => [f.name, f.type]),
      ),
    };
    if (this.tables.size >= METADATA_CACHE_SIZE) this.tables.delete(this.tables.keys().next().value!);
    this.tables.set(key, { info, expires: Date.now() + this.config.tableMetadataTtlMs });
    return info;
  }

  async tile(table: TableInfo, z: number, x: number, y: number): Promise<Buffer | null> {
    const page = await this.firstPage('tile', {
      query: `SELECT data FROM \`${formatTableRef(table.ref)}\` WHERE z = @z AND x = @x AND y = @y LIMIT 1`,
      params: { z, x, y },
      location: table.location,
    });
    const data = page.rows[0]?.data;
    return Buffer.isBuffer(data) ? data : null;
  }

  /** Pages of every row of the table; the caller stops pulling when it has enough. */
  async *rows(table: TableInfo, pageSize = 1000): AsyncGenerator<Row[]> {
    let page = await this.firstPage(
      'table',
      { query: `SELECT * FROM \`${formatTableRef(table.ref)}\``, location: table.location },
      pageSize,
    );
    yield page.rows;
    while (page.next) {
      const next = page.next;
      page = await this.call('table', async () => toPage(await next.job.getQueryResults(next)));
      yield page.rows;
    }
  }

  /** Readiness: a metadata read of the first allowed dataset (no query job, no cost). */
  async ping(timeoutMs: number): Promise<void> {
    const [first] = this.config.allowedDatasets;
    const [projectId, datasetId] = (first ?? 'unknown.unknown').split('.') as [string, string];
    await this.call(
      'readiness',
      () => this.client.dataset(datasetId, { projectId }).getMetadata(),
      Math.min(timeoutMs, this.config.queryTimeoutMs),
    );
  }

  private async firstPage(kind: QueryKind, query: Query, maxResults = 1): Promise<QueryPage> {
    return this.call(kind, async () => {
      const page = toPage(
        await this.client.query(
          {
            ...query,
            maximumBytesBilled: this.config.maximumBytesBilled,
            labels: { app: 'maps-api', route: kind },
          },
          { timeoutMs: this.config.queryTimeoutMs, maxResults, autoPaginate: false },
        ),
      );
      this.metrics.bytesProcessed.inc({ kind }, page.bytesProcessed);
      trace.getActiveSpan()?.setAttribute('bigquery.bytes_processed', page.bytesProcessed);
      return page;
    });
  }

  private async call<T>(
    kind: QueryKind,
    work: () => Promise<T>,
    timeoutMs = this.config.queryTimeoutMs,
  ): Promise<T> {
    return tracer.startActiveSpan(
      `bigquery.${kind}`,
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'bigquery' } },
      async (span) => {
        const end = this.metrics.queryDuration.startTimer({ kind });
        let timer: NodeJS.Timeout | undefined;
        try {
          const deadline = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(queryTimeout()), timeoutMs);
          });
          const result = await Promise.race([work(), deadline]);
          end({ outcome: 'ok' });
          return result;
        } catch (error) {
          const mapped = fromBigQueryError(error);
          end({ outcome: 'error' });
          this.metrics.queryErrors.inc({ kind, code: mapped.code });
          span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.code });
          throw mapped;
        } finally {
          clearTimeout(timer);
          span.end();
        }
      },
    );
  }
}

function toPage(result: unknown[]): QueryPage {
  const [rows, next, response] = result as [
    Row[],
    QueryPage['next'] & { pageToken?: string },
    { totalBytesProcessed?: string },
  ];
  return {
    rows,
    next: next?.pageToken ? next : null,
    bytesProcessed: Number(response?.totalBytesProcessed ?? 0),
  };
}
