/**
 * A real Kubernetes API for tests: etcd + kube-apiserver built from the Go module proxy by
 * tools/install.d/61-kube-apiserver.sh. There are no controllers or kubelets, so tests write Deployment,
 * ReplicaSet and Pod statuses themselves, the way those controllers would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

function requireTool(name: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found) throw new Error(`${name} not on PATH: run tools/install.sh 61-kube-apiserver`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** GET /readyz; the serving certificate is the self-signed one kube-apiserver generated into --cert-dir. */
function ready(port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/readyz',
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface TestCluster {
  kubeConfig: KubeConfig;
  stop(): Promise<void>;
}

export async function startKubeApiserver(): Promise<TestCluster> {
  requireTool('etcd');
  requireTool('kube-apiserver');
  const dir = mkdtempSync(join(tmpdir(), 'kube-'));
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(16).toString('hex');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
  const logs: string[] = [];
  const processes: ChildProcess[] = [];
  const launch = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
    processes.push(child);
  };
  launch('etcd', [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
    '--log-level=error',
  ]);
  launch('kube-apiserver', [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    `--secure-port=${apiPort}`,
    '--bind-address=127.0.0.1',
    `--cert-dir=${join(dir, 'certs')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=AlwaysAllow',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--service-cluster-ip-range=10.0.0.0/24',
    // No controller-manager here: nothing would create the "default" ServiceAccount pods ask for.
    '--disable-admission-plugins=ServiceAccount',
    '--v=0',
  ]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server: `https://127.0.0.1:${apiPort}`, skipTLSVerify: true }],
    users: [{ name: 'admin', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'admin' }],
    currentContext: 'test',
  });
  const stop = async () => {
    for (const p of processes.reverse()) {
      p.kill('SIGTERM');
      await new Promise((resolve) => (p.exitCode !== null ? resolve(null) : p.once('exit', resolve)));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const exited = processes.find((p) => p.exitCode !== null);
    if (exited) {
      await stop();
      throw new Error(`${exited.spawnfile} exited early:\n${logs.join('').slice(-3000)}`);
    }
    if (await ready(apiPort, token)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kube-apiserver not ready after 120s:\n${logs.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { kubeConfig, stop };
}
