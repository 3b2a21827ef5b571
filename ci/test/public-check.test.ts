// The deploy's public check (ci/smoke/public.ts): what https://<host> answers, told apart from what it waits for.
// Real TLS and TCP servers on loopback stand for a load balancer whose certificate is not active yet; the clock is
// the test's own, so the bounded wait is checked without waiting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assess, checkPublic, probeHttps, type Probe } from '../smoke/public.ts';

const HOST = 'maps-api.dev.acme-maps.net';
const ADDRESS = '34.117.0.10';
const servers: { close: (cb: () => void) => unknown }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A self-signed certificate for another name: what a host serves before its own certificate is issued. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'public-check-'));
  const made = spawnSync('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other.invalid'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ]);
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

async function listen(server: TcpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('the public check', () => {
  it('names a TLS failure on a host that resolves to the Ingress as the certificate it waits for (a real TLS server)', async () => {
    const port = await listen(createTlsServer(selfSigned(), (_req, res) => res.end('ok')));
    const probe = await probeHttps('127.0.0.1', 5000, port);
    expect(probe.status).toBeUndefined();
    expect(probe.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(assess(HOST, ADDRESS, [ADDRESS], probe)).toMatchObject({
      stage: 'certificate',
      message: expect.stringMatching(/not active yet/) as unknown,
    });
  });

  it('names a load balancer that drops the TLS handshake (no active certificate) the same way (a real TCP server)', async () => {
    const port = await listen(createTcpServer((socket) => socket.destroy()));
    const probe = await probeHttps('127.0.0.1', 5000, port);
    expect(['ECONNRESET', 'EPROTO']).toContain(probe.code);
    expect(assess(HOST, ADDRESS, [ADDRESS], probe).stage).toBe('certificate');
  });

  it('says which A record to create, or where the existing one points, before blaming the certificate', () => {
    const refused: Probe = { code: 'ECONNREFUSED' };
    expect(assess(HOST, undefined, [], refused).stage).toBe('load balancer');
    expect(assess(HOST, ADDRESS, [], refused).message).toBe(
      `${HOST} has no A record: create ${HOST} A ${ADDRESS} (docs/infrastructure.md, first deploy step 9)`,
    );
    expect(assess(HOST, ADDRESS, ['203.0.113.7'], refused).message).toMatch(
      new RegExp(`resolves to 203\\.0\\.113\\.7, not the Ingress' ${ADDRESS.replace(/\./g, '\\.')}`),
    );
    expect(assess(HOST, ADDRESS, [ADDRESS], { status: 502 }).stage).toBe('backend');
    expect(assess(HOST, ADDRESS, [ADDRESS], { status: 200 }).stage).toBe('answering');
  });

  it('waits a bounded time, logging each new state once, and reports what it still waits for', async () => {
    let clock = 0;
    const log: string[] = [];
    const answers: Probe[] = [{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }, { code: 'ECONNRESET' }];
    let round = 0;
    const result = await checkPublic({
      host: HOST,
      waitSeconds: 600,
      pollSeconds: 30,
      ingressAddress: async () => (round > 0 ? ADDRESS : undefined),
      resolve: async () => (round > 0 ? [ADDRESS] : []),
      probe: async () => answers[Math.min(round++, answers.length - 1)]!,
      log: (line) => log.push(line),
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });
    expect(result).toMatchObject({ ok: false, failed: false, seconds: 600 });
    expect(result.assessment.stage).toBe('certificate');
    expect(round).toBe(21); // every 30 s for 600 s, then stops
    expect(log).toHaveLength(3);
  });

  it('passes as soon as the host answers 200, and fails only when it answers something else over HTTPS', async () => {
    const base = { host: HOST, waitSeconds: 60, ingressAddress: async () => ADDRESS, log: () => {} };
    const resolve = async () => [ADDRESS];
    let clock = 0;
    const time = { now: () => clock, sleep: async (ms: number) => void (clock += ms) };
    expect((await checkPublic({ ...base, ...time, resolve, probe: async () => ({ status: 200 }) })).ok).toBe(
      true,
    );
    const broken = await checkPublic({ ...base, ...time, resolve, probe: async () => ({ status: 502 }) });
    expect(broken).toMatchObject({ ok: false, failed: true });
  });
});
