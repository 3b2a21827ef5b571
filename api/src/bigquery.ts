// The only module that talks to BigQuery. Table references in SQL come from BigQuery's own metadata answer for an
// allow-listed, pattern-checked id; every value (z, x, y) is a query parameter.
import { BigQuery, Job, type Query, type QueryOptions, type TableField } from '@google-cloud/bigquery';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { EXACT_INTEGERS, minimumGeoJsonBytes } from './bigquery-values.js';
import type { Config } from './config.js';
import { tilePartition } from './carto-partition.js';
import { fromBigQueryError, notFound, overloaded, queryTimeout, retryable, tooLarge } from './errors.js';
import type { Metrics, QueryKind } from './metrics.js';
import { formatTableRef, type TableInfo, type TableRef } from './table-id.js';
import {
  metadataRowQuery,
  sampleCap,
  sampleQuery,
  SAMPLE_MAX_ROWS,
  type StoredTile,
} from './partition-check.js';
import { covers } from './tile-coverage.js';
import { planTileReads, type PlanSources, type TilePlan } from './tile-plan.js';
import { tracer } from './tracing.js';

export type Row = Record<string, unknown>;

interface QueryPage {
  rows: Row[];
  next: { job: { getQueryResults(q: object): Promise<unknown[]> } } | null;
  bytesProcessed: number;
  bytesBilled: number;
}

const METADATA_CACHE_SIZE = 1000;

export class BigQueryReader {
  private readonly client: BigQuery;
  /**
   * Table lookups: one in flight per table, shared by every request that needs it meanwhile; kept
   * TABLE_METADATA_TTL_MS when it succeeded, TABLE_LOOKUP_FAILURE_TTL_MS when it failed (404 or BigQuery down), so a
   * burst of requests for one table costs one metadata call.
   */
  private readonly tables = new Map<string, { lookup: Promise<TableInfo>; expires: number }>();
  /** Tile plans per table version (id @ last modified): planned once, kept while that version is served. */
  private readonly tilePlans = new Map<string, Promise<TilePlan>>();
  /** How long jobs.query waits for a result: less than our deadline, so its answer names the job to cancel. */
  private readonly serverWaitMs: number;

  constructor(
    private readonly config: Config,
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {
    // BIGQUERY_EMULATOR_HOST, when set, is honoured by the client itself: one code path for emulator and BigQuery.
    this.client = new BigQuery({
      projectId: config.GOOGLE_CLOUD_PROJECT,
      retryOptions: {
        autoRetry: config.BIGQUERY_MAX_RETRIES > 0,
        maxRetries: config.BIGQUERY_MAX_RETRIES,
        retryableErrorFn: retryable,
      },
    });
    this.serverWaitMs = Math.max(Math.floor(config.QUERY_TIMEOUT_MS / 2), config.QUERY_TIMEOUT_MS - 2000);
  }

  table(ref: TableRef): Promise<TableInfo> {
    const key = formatTableRef(ref);
    const cached = this.tables.get(key);
    if (cached && cached.expires > Date.now()) return cached.lookup;
    const entry = { lookup: this.lookUp(ref), expires: Number.POSITIVE_INFINITY };
    entry.lookup.then(
      () => (entry.expires = Date.now() + this.config.TABLE_METADATA_TTL_MS),
      () => (entry.expires = Date.now() + this.config.TABLE_LOOKUP_FAILURE_TTL_MS),
    );
    this.tables.delete(key);
    if (this.tables.size >= METADATA_CACHE_SIZE) this.tables.delete(this.tables.keys().next().value!);
    this.tables.set(key, entry);
    return entry.lookup;
  }

  private async lookUp(ref: TableRef): Promise<TableInfo> {
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
      schema: (metadata.schema?.fields ?? []) as TableField[],
      type: metadata.type ?? 'TABLE',
      numBytes: Number(metadata.numBytes ?? 0),
      numRows: Number(metadata.numRows ?? 0),
    };
    return info;
  }

  async tile(table: TableInfo, z: number, x: number, y: number): Promise<Buffer | null> {
    const plan = await this.tilePlan(table);
    if (!covers(plan.coverage, z, x, y)) {
      trace
        .getActiveSpan()
        ?.setAttribute('maps.tile_plan', `outside the tileset (${plan.coverage.kind}): no query`);
      this.metrics.tilesOutside.inc();
      return null;
    }
    trace
      .getActiveSpan()
      ?.setAttribute('maps.tile_plan', plan.pruned ? 'partition' : `full scan estimate: ${plan.reason}`);
    const filter = plan.pruned
      ? {
          where: 'carto_partition = @p AND z = @z AND x = @x AND y = @y',
          params: { p: tilePartition(plan.scheme, z, x, y), z, x, y },
        }
      : { where: 'z = @z AND x = @x AND y = @y', params: { z, x, y } };
    const page = await this.firstPage(
      'tile',
      {
        query: `SELECT data FROM \`${formatTableRef(table.ref)}\` WHERE ${filter.where} LIMIT 1`,
        params: filter.params,
        location: table.location,
      },
      1,
      plan.maximumBytesBilled,
    );
    const data = page.rows[0]?.data;
    return Buffer.isBuffer(data) ? data : null;
  }

  /** Planned once per table version; a failed planning (BigQuery unreachable) is retried by the next request. */
  private tilePlan(table: TableInfo): Promise<TilePlan> {
    const key = `${formatTableRef(table.ref)}@${table.lastModified.getTime()}`;
    let plan = this.tilePlans.get(key);
    if (!plan) {
      plan = planTileReads(table, this.planSources, this.config.MAXIMUM_BYTES_BILLED);
      plan.then(
        (planned) => this.reportPlan(table, planned),
        () => this.tilePlans.delete(key),
      );
      if (this.tilePlans.size >= METADATA_CACHE_SIZE)
        this.tilePlans.delete(this.tilePlans.keys().next().value!);
      this.tilePlans.set(key, plan);
    }
    return plan;
  }

  /** A CARTO tileset served unpruned is a loud failure: its big tiles are refused (413) until someone looks. */
  private reportPlan(table: TableInfo, plan: TilePlan): void {
    if (plan.pruned || plan.schemeUnusable) {
      this.metrics.partitionSchemeUnusable.set({ table: formatTableRef(table.ref) }, plan.pruned ? 0 : 1);
    }
    if (!plan.pruned && plan.schemeUnusable) {
      this.log.error(
        { table: formatTableRef(table.ref), found: plan.reason },
        'tile partition scheme unusable: tiles of this table are queried unpruned, refused (413) on a big table',
      );
    }
  }

  private readonly planSources: PlanSources = {
    metadataRow: async (table) => {
      const page = await this.firstPage('metadata', {
        query: metadataRowQuery(formatTableRef(table.ref)),
        location: table.location,
      });
      const data = page.rows[0]?.data;
      return Buffer.isBuffer(data) ? data : null;
    },
    sampleTiles: async (table) => {
      const cap = Math.min(sampleCap(table.numRows), Number(this.config.MAXIMUM_BYTES_BILLED));
      const { rows } = await this.firstPage(
        'metadata',
        { ...sampleQuery(formatTableRef(table.ref)), location: table.location },
        SAMPLE_MAX_ROWS,
        String(cap),
      );
      return rows.map((row) => ({
        z: Number(row.z),
        x: Number(row.x),
        y: Number(row.y),
        carto_partition: row.carto_partition === null ? null : Number(row.carto_partition),
      })) satisfies StoredTile[];
    },
    largestPartitionBytes: async (table) => {
      try {
        const page = await this.firstPage('metadata', {
          query: `SELECT MAX(total_logical_bytes) AS largest FROM \`${table.ref.projectId}.${table.ref.datasetId}.INFORMATION_SCHEMA.PARTITIONS\` WHERE table_name = @table`,
          params: { table: table.ref.tableId },
          location: table.location,
        });
        const largest = Number(page.rows[0]?.largest);
        return Number.isFinite(largest) && largest > 0 ? largest : undefined;
      } catch {
        return undefined; // partition sizes unknown (e.g. the emulator): the global cap applies
      }
    },
  };

  private tableHandle(table: TableInfo) {
    const handle = this.client
      .dataset(table.ref.datasetId, { projectId: table.ref.projectId })
      .table(table.ref.tableId, { location: table.location });
    handle.metadata = { ...handle.metadata, schema: { fields: table.schema } };
    return handle;
  }

  /** 413 from metadata alone when even the shortest GeoJSON of every row would exceed maxBytes. */
  refuseOversized(table: TableInfo, geomField: string, maxBytes: number): void {
    const minimum = minimumGeoJsonBytes(table, geomField);
    if (minimum > maxBytes) {
      throw tooLarge(
        `response would exceed MAX_JSON_RESPONSE_SIZE (${maxBytes} bytes): ${table.numRows} rows, ${table.numBytes} bytes`,
      );
    }
  }

  /**
   * Pages of every row of the table; the caller stops pulling when it has enough. Tables are listed with
   * tabledata.list (free: no query job, nothing billed); views and external tables have no stored rows to list and are
   * queried under the bytes-billed cap.
   */
  async *rows(table: TableInfo, pageSize = 1000): AsyncGenerator<Row[]> {
    if (table.type !== 'TABLE') {
      yield* this.queriedRows(table, pageSize);
      return;
    }
    const handle = this.tableHandle(table);
    let pageToken: string | undefined;
    do {
      const [rows, next] = await this.call('table', () =>
        handle.getRows({
          maxResults: pageSize,
          pageToken,
          autoPaginate: false,
          wrapIntegers: EXACT_INTEGERS,
        }),
      );
      yield rows as Row[];
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
  }

  private async *queriedRows(table: TableInfo, pageSize: number): AsyncGenerator<Row[]> {
    let page = await this.firstPage(
      'table',
      { query: `SELECT * FROM \`${formatTableRef(table.ref)}\``, location: table.location },
      pageSize,
    );
    yield page.rows;
    while (page.next) {
      const next = page.next;
      page = await this.call('table', async () =>
        toPage(await next.job.getQueryResults({ ...next, wrapIntegers: EXACT_INTEGERS })),
      );
      yield page.rows;
    }
  }

  /** Readiness: a metadata read of the first served table's dataset (no query job, no cost). */
  async ping(timeoutMs: number): Promise<void> {
    const [first] = this.config.SERVED_TABLES.values();
    const [projectId, datasetId] = (first ?? 'unknown.unknown').split('.') as [string, string];
    await this.call(
      'readiness',
      () => this.client.dataset(datasetId, { projectId }).getMetadata(),
      Math.min(timeoutMs, this.config.QUERY_TIMEOUT_MS),
    );
  }

  private async firstPage(
    kind: QueryKind,
    query: Query,
    maxResults = 1,
    maximumBytesBilled = this.config.MAXIMUM_BYTES_BILLED,
  ): Promise<QueryPage> {
    return this.call(kind, async () => {
      const page = await this.runQuery(
        {
          ...query,
          maximumBytesBilled,
          labels: { app: 'maps-api', route: kind },
          // The short-query path: BigQuery creates a job only when it must (never with jobTimeoutMs, which the client
          // answers by leaving this path).
          jobCreationMode: 'JOB_CREATION_OPTIONAL',
        },
        { timeoutMs: this.serverWaitMs, maxResults, autoPaginate: false, wrapIntegers: EXACT_INTEGERS },
      );
      this.metrics.bytesProcessed.inc({ kind }, page.bytesProcessed);
      this.metrics.bytesBilled.inc({ kind }, page.bytesBilled);
      trace.getActiveSpan()?.setAttributes({
        'bigquery.bytes_processed': page.bytesProcessed,
        'bigquery.bytes_billed': page.bytesBilled,
      });
      return page;
    });
  }

  /**
   * jobs.query waits serverWaitMs (inside our own deadline) and then answers with the job it left running: that job is
   * cancelled, so an abandoned query stops holding slots and billing.
   */
  private runQuery(query: Query, options: QueryOptions): Promise<QueryPage> {
    return new Promise((resolve, reject) => {
      // The typings name three callback arguments for a Query object; the client passes four (rows, next, response).
      const query4 = this.client.query.bind(this.client) as unknown as (
        query: Query,
        options: QueryOptions,
        callback: (error: Error | null, rows: Row[], next: unknown, response: unknown) => void,
      ) => void;
      query4(query, options, (error, rows, next, response) => {
        if (!error) return resolve(toPage([rows, next, response]));
        if (next instanceof Job) {
          next.cancel().catch((cancelError: unknown) => {
            trace.getActiveSpan()?.addEvent('bigquery.cancel_failed', { error: String(cancelError) });
          });
        }
        reject(error);
      });
    });
  }

  /** BigQuery calls in flight from this process (the probe aside). */
  private active = 0;

  private async call<T>(
    kind: QueryKind,
    work: () => Promise<T>,
    timeoutMs = this.config.QUERY_TIMEOUT_MS,
  ): Promise<T> {
    // Shedding before collapse: when BigQuery is slow, excess misses get a fast 503 instead of piling up here (and
    // holding Varnish's backend connections); the probe is exempt, it only measures.
    if (kind !== 'readiness') {
      if (this.active >= this.config.MAX_CONCURRENT_BIGQUERY_CALLS) {
        this.metrics.shed.inc({ kind });
        throw overloaded();
      }
      this.active++;
      const limited = work;
      work = () => limited().finally(() => this.active--);
    }
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
    { totalBytesProcessed?: string; totalBytesBilled?: string },
  ];
  return {
    rows,
    next: next?.pageToken ? next : null,
    bytesProcessed: Number(response?.totalBytesProcessed ?? 0),
    bytesBilled: Number(response?.totalBytesBilled ?? 0),
  };
}
