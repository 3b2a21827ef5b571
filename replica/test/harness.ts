// A real emulator behind the BigQuery test server, plus helpers shared by the tests.
import { createServer, type AddressInfo } from 'node:net';
import { BigQuery } from '@google-cloud/bigquery';
import {
  createTable,
  emulatorClient,
  sampleTileRows,
  startBigQueryStandIn,
  startEmulator,
  TILESET_SCHEMA,
  type BigQueryStandIn,
  type Emulator,
} from '@maps-api/emulator';
import type { Context } from '../src/replicate.js';
import { startBigQueryTestServer, type BigQueryTestServer } from './bigquery-test-server.js';

export interface Stack {
  emulator: Emulator;
  /** Query estimates, dry runs and the bytes-billed cap, in front of the emulator. */
  standIn: BigQueryStandIn;
  server: BigQueryTestServer;
  /** A client of the test server, jobs billed to `projectId`. */
  client(projectId?: string): BigQuery;
  context(log?: string[]): Context;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const emulator = await startEmulator();
  const standIn = await startBigQueryStandIn(emulator.host);
  const server = await startBigQueryTestServer(standIn.host);
  const client = (projectId = 'maps-api-dev') => new BigQuery({ projectId, apiEndpoint: server.endpoint });
  return {
    emulator,
    standIn,
    server,
    client,
    context: (log = []) => ({
      bigquery: client(),
      log: (line) => log.push(line),
      pollMs: 20,
      now: Date.now,
      sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    }),
    stop: async () => {
      await server.stop();
      await standIn.stop();
      await emulator.stop();
    },
  };
}

/** Tileset rows in the real layout (BYTES as base64, as the REST API takes them). */
export function tileRows(count: number, offset = 0): Record<string, unknown>[] {
  return sampleTileRows()
    .slice(offset, offset + count)
    .map((row) => ({ ...row, data: row.data.toString('base64') }));
}

/** A source table created through the test server (so its lastModifiedTime moves as BigQuery's does). */
export async function createSource(
  stack: Stack,
  tableId: string,
  rows: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const client = emulatorClient(stack.server.host, tableId.split('.')[0]);
  await createTable(client, tableId, TILESET_SCHEMA, rows, extra);
}

export async function insertRows(
  stack: Stack,
  tableId: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  const [project, dataset, table] = tableId.split('.') as [string, string, string];
  await stack.client(project).dataset(dataset, { projectId: project }).table(table).insert(rows);
}

export async function rowCount(stack: Stack, tableId: string): Promise<number> {
  const [rows] = await stack
    .client()
    .query({ query: `SELECT COUNT(*) AS n FROM \`${tableId}\``, location: 'US' });
  return Number((rows[0] as { n: number }).n);
}

export async function tableMetadata(stack: Stack, tableId: string) {
  const [project, dataset, table] = tableId.split('.') as [string, string, string];
  const [metadata] = await stack
    .client(project)
    .dataset(dataset, { projectId: project })
    .table(table)
    .getMetadata();
  return metadata;
}

export interface RecordedBan {
  method: string;
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
}

/**
 * Stands in for Varnish's BAN endpoint: records each request and answers 200 "Banned". Raw TCP, because Node's HTTP
 * parser rejects methods it does not know (BAN) with a 400 before any handler runs.
 */
export async function startBanRecorder(): Promise<{
  url: string;
  bans: RecordedBan[];
  stop(): Promise<void>;
}> {
  const bans: RecordedBan[] = [];
  const server = createServer((socket) => {
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...headerLines] = received.slice(0, end).split('\r\n');
      const [method = '', url = ''] = requestLine.split(' ');
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      bans.push({ method, url, headers });
      socket.end(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nBanned',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    bans,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
