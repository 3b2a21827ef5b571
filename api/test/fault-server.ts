// A BigQuery REST stand-in for the failures the emulator cannot produce: slow answers, 5xx, quota errors, hangs.
// It answers tables.get / datasets.get like BigQuery and fails jobs.query as the current mode says.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { freePort } from '@maps-api/emulator';

export type FaultMode =
  'ok' | 'slow' | 'hang' | 'server-error' | 'quota' | 'rate-limit' | 'too-many-requests' | 'malformed';

export const FAULT_TILE = gzipSync(Buffer.from('fake-but-gzipped-tile'));

export async function startFaultServer(options: { delayMs?: number } = {}) {
  let mode: FaultMode = 'ok';
  let queries = 0;
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/bigquery\/v2/, '');
    const table = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/);
    if (req.method === 'GET' && table) {
      return json(res, 200, {
        kind: 'bigquery#table',
        tableReference: { projectId: table[1], datasetId: table[2], tableId: table[3] },
        location: 'US',
        lastModifiedTime: '1767225600000',
        schema: {
          fields: ['z', 'x', 'y', 'carto_partition']
            .map((name) => ({ name, type: 'INTEGER' }))
            .concat({ name: 'data', type: 'BYTES' }),
        },
      });
    }
    const dataset = path.match(/^\/projects\/([^/]+)\/datasets\/([^/]+)$/);
    if (req.method === 'GET' && dataset) {
      return json(res, 200, {
        datasetReference: { projectId: dataset[1], datasetId: dataset[2] },
        location: 'US',
      });
    }
    if (req.method === 'POST' && /^\/projects\/[^/]+\/queries$/.test(path)) {
      queries++;
      const answer = () => {
        if (mode === 'server-error')
          return json(res, 500, {
            error: {
              code: 500,
              message: 'backendError',
              errors: [{ reason: 'backendError', message: 'internal at line 42' }],
            },
          });
        if (mode === 'quota')
          return json(res, 403, {
            error: {
              code: 403,
              message: 'Quota exceeded',
              errors: [{ reason: 'quotaExceeded', message: 'Quota exceeded: too many concurrent queries' }],
            },
          });
        if (mode === 'too-many-requests')
          return json(res, 429, {
            error: { code: 429, message: 'Too many requests', errors: [{ reason: 'rateLimitExceeded' }] },
          });
        if (mode === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{"kind": "bigquery#queryRe');
        }
        return json(res, 200, {
          kind: 'bigquery#queryResponse',
          jobReference: { projectId: 'local', jobId: `job-${queries}`, location: 'US' },
          jobComplete: true,
          schema: { fields: [{ name: 'data', type: 'BYTES' }] },
          rows: [{ f: [{ v: FAULT_TILE.toString('base64') }] }],
          totalRows: '1',
          totalBytesProcessed: '1234',
        });
      };
      if (mode === 'hang') return; // never answers
      if (mode === 'slow') return void setTimeout(answer, options.delayMs ?? 1500);
      return answer();
    }
    json(res, 404, { error: { code: 404, message: `fault server: no route ${req.method} ${path}` } });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `http://127.0.0.1:${port}/bigquery/v2`,
    setMode: (next: FaultMode) => void (mode = next),
    queryCount: () => queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
