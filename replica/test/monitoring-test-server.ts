// Cloud Monitoring's REST front for tests, plus the STS token endpoint that Workload Identity Federation credentials
// (type external_account, what google-github-actions/auth writes in CI) exchange a subject token at. The client runs
// its real code path: Application Default Credentials → token exchange here → `Authorization: Bearer` on
// POST /v3/projects/{project}/timeSeries, which is recorded.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedTimeSeriesCall {
  project: string;
  /** Query string (the REST transport asks for `$alt=json;enum-encoding=int`). */
  query: string;
  authorization: string | undefined;
  body: {
    timeSeries: {
      metric: { type: string; labels: Record<string, string> };
      resource: { type: string; labels: Record<string, string> };
      metricKind: number | string;
      valueType: number | string;
      points: { interval: { startTime?: string; endTime: string }; value: { doubleValue: number } }[];
    }[];
  };
}

export interface MonitoringTestServer {
  /** For REPLICA_MONITORING_ENDPOINT / monitoringClient(). */
  endpoint: string;
  /** An external_account credentials file whose token_url is this server: for GOOGLE_APPLICATION_CREDENTIALS. */
  credentialsFile: string;
  /** The same credentials as an object (GoogleAuth `credentials`). */
  credentials: Record<string, unknown>;
  calls: RecordedTimeSeriesCall[];
  /** The access token this server hands out. */
  accessToken: string;
  /** Answer timeSeries.create with 403 PERMISSION_DENIED (a missing roles/monitoring.metricWriter) until reset. */
  denyWrites: boolean;
  stop(): Promise<void>;
}

const TIME_SERIES = /^\/v3\/projects\/([^/]+)\/timeSeries$/;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

export async function startMonitoringTestServer(): Promise<MonitoringTestServer> {
  const accessToken = `test-access-token-${process.pid}`;
  const state = { denyWrites: false, calls: [] as RecordedTimeSeriesCall[] };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/v1/token') {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange')
          return sendJson(res, 400, { error: 'invalid_grant' });
        return sendJson(res, 200, {
          access_token: accessToken,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        });
      }
      const match = req.method === 'POST' ? TIME_SERIES.exec(url.pathname) : null;
      if (!match)
        return sendJson(res, 404, {
          error: { code: 404, message: `no route ${req.method} ${url.pathname}` },
        });
      state.calls.push({
        project: decodeURIComponent(match[1] ?? ''),
        query: url.search,
        authorization: req.headers.authorization,
        body: JSON.parse(body) as RecordedTimeSeriesCall['body'],
      });
      if (state.denyWrites) {
        const message = `Permission monitoring.timeSeries.create denied (or the resource may not exist).`;
        return sendJson(res, 403, { error: { code: 403, message, status: 'PERMISSION_DENIED' } });
      }
      return sendJson(res, 200, {});
    })().catch((error: Error) => sendJson(res, 500, { error: { code: 500, message: error.message } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dir = mkdtempSync(join(tmpdir(), 'replica-monitoring-'));
  const subjectTokenFile = join(dir, 'subject-token');
  writeFileSync(subjectTokenFile, 'an-oidc-token-from-the-ci-provider');
  const credentials = {
    type: 'external_account',
    audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/test/providers/test',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${endpoint}/v1/token`,
    credential_source: { file: subjectTokenFile },
  };
  const credentialsFile = join(dir, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify(credentials));

  return {
    endpoint,
    credentialsFile,
    credentials,
    calls: state.calls,
    accessToken,
    get denyWrites() {
      return state.denyWrites;
    },
    set denyWrites(value: boolean) {
      state.denyWrites = value;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
