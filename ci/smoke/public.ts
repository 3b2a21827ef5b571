/**
 * The public check: what https://<host> answers, apart from the smoke (which goes through the cluster, so it never
 * waits for DNS or a certificate). A new environment's host works only after three things nobody in the deploy can
 * hurry: GKE creates the load balancer for the Ingress (minutes), someone creates the A record (docs/infrastructure.md
 * step 9), and Google issues the managed certificate once the host resolves to the load balancer (typically 30–60
 * minutes). The check waits a bounded time, says which of these it is waiting for, and fails only on what a release
 * can cause: the host answering over HTTPS with anything but 200.
 */
import { promises as dns } from 'node:dns';
import { request } from 'node:https';

export interface Probe {
  status?: number;
  /** Node's error code (ECONNRESET, ERR_TLS_CERT_ALTNAME_INVALID…) when there was no HTTP answer. */
  code?: string;
  error?: string;
}

export type Stage = 'answering' | 'load balancer' | 'dns' | 'certificate' | 'backend';

export interface Assessment {
  stage: Stage;
  /** What the host does now and, when it is not answering, what it waits for. */
  message: string;
}

const CERTIFICATE_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const HANDSHAKE_CODES = new Set(['ECONNRESET', 'EPROTO']);

/** One look at the host: where its path stops, in the order a new environment gets there. */
export function assess(
  host: string,
  address: string | undefined,
  resolved: string[],
  probe: Probe,
): Assessment {
  if (probe.status === 200) return { stage: 'answering', message: `https://${host}/healthz answers 200` };
  if (probe.status !== undefined) {
    return {
      stage: 'backend',
      message: `https://${host}/healthz answers ${probe.status}: the load balancer and certificate work, the backend does not`,
    };
  }
  if (!address) {
    return {
      stage: 'load balancer',
      message: `the Ingress has no address yet (GKE creates its load balancer in minutes); https://${host}: ${probe.code ?? probe.error}`,
    };
  }
  if (!resolved.includes(address)) {
    return {
      stage: 'dns',
      message: resolved.length
        ? `${host} resolves to ${resolved.join(', ')}, not the Ingress' ${address}: point its A record at ${address}`
        : `${host} has no A record: create ${host} A ${address} (docs/infrastructure.md, first deploy step 9)`,
    };
  }
  const code = probe.code ?? '';
  if (CERTIFICATE_CODES.has(code) || HANDSHAKE_CODES.has(code) || code.startsWith('ERR_SSL_')) {
    return {
      stage: 'certificate',
      message: `${host} resolves to the Ingress (${address}) but TLS fails (${code}): the Google-managed certificate is not active yet (issued 30–60 minutes after DNS points here)`,
    };
  }
  return {
    stage: 'load balancer',
    message: `${host} resolves to the Ingress (${address}); https gets no answer yet (${code || probe.error})`,
  };
}

/** GET https://<host>/healthz once, bounded: an HTTP status, or the error that stopped it. */
export function probeHttps(host: string, timeoutMs = 10_000, port = 443): Promise<Probe> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode }));
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code, error: error.message }));
    req.end();
  });
}

export async function resolveA(host: string): Promise<string[]> {
  return dns.resolve4(host).catch(() => []);
}

export interface PublicCheckOptions {
  host: string;
  /** How long to wait for the host to answer; 0 skips the check. */
  waitSeconds: number;
  pollSeconds?: number;
  /** The Ingress' load-balancer address (status.loadBalancer.ingress[0].ip), when it has one. */
  ingressAddress: () => Promise<string | undefined>;
  resolve?: (host: string) => Promise<string[]>;
  probe?: (host: string) => Promise<Probe>;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface PublicCheckResult {
  /** The host answered 200 over HTTPS. */
  ok: boolean;
  /** It answered over HTTPS with something else: what a release can cause, so a failure. */
  failed: boolean;
  assessment: Assessment;
  seconds: number;
}

export async function checkPublic(options: PublicCheckOptions): Promise<PublicCheckResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const resolve = options.resolve ?? resolveA;
  const probe = options.probe ?? probeHttps;
  const started = now();
  const deadline = started + options.waitSeconds * 1000;
  let last = '';
  for (;;) {
    const [address, resolved, answer] = await Promise.all([
      options.ingressAddress().catch(() => undefined),
      resolve(options.host),
      probe(options.host),
    ]);
    const assessment = assess(options.host, address, resolved, answer);
    if (assessment.message !== last) options.log(`public: ${assessment.message}`);
    last = assessment.message;
    const seconds = (now() - started) / 1000;
    if (assessment.stage === 'answering') return { ok: true, failed: false, assessment, seconds };
    if (now() >= deadline) return { ok: false, failed: assessment.stage === 'backend', assessment, seconds };
    await sleep(Math.min((options.pollSeconds ?? 30) * 1000, Math.max(deadline - now(), 0)));
  }
}
