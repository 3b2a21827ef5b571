import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { CORS_RESPONSE_HEADERS } from '../../api/src/cors.js';
import { docker, spawnContainer, varnishImage } from '../../local-varnish/runtime.js';

/**
 * nginx proxy_cache set up the way careful nginx users do: lock, stale, background update, upstream keepalive.
 * Like for like with the production VCL: the same answer on the wire (CORS headers and X-Cache added on delivery,
 * X-Table-Id and X-Data-Version passed through), one worker per CPU it may use (Varnish gets the same CPU set).
 */
export function nginxConfig(
  dir: string,
  listenPort: number,
  originPort: number,
  workers: number | 'auto',
): string {
  const cors = Object.entries(CORS_RESPONSE_HEADERS)
    .map(([name, value]) => `add_header ${name} "${value}" always;`)
    .join('\n      ');
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes ${workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=maps:32m max_size=512m inactive=1d use_temp_path=off;
  upstream api {
    server 127.0.0.1:${originPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${listenPort} reuseport;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache maps;
      proxy_cache_key $request_uri;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 10s;
      proxy_cache_lock_age 10s;
      proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
      proxy_cache_background_update on;
      proxy_cache_revalidate on;
      add_header X-Cache $upstream_cache_status always;
      ${cors}
    }
  }
}
`;
}

export interface RunningNginx {
  /** The master process (workers are its children). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * nginx from Debian 13 in a container run exactly as the Varnish image is (host network, the same CPU set, the same
 * cgroup and seccomp treatment): on this machine a container's threads share one CPU weight under Docker's cgroup, so
 * a host nginx against a containerised Varnish would compare schedulers, not caches. Built once from the Debian mirror.
 */
export async function benchNginxImage(): Promise<string> {
  const base = await varnishImage(); // the same Debian 13 base, already there
  const dockerfile = `FROM ${base}\nUSER 0\nRUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*\n`;
  const tag = `maps-api/bench-nginx:${base.split(':')[1]}`;
  const present = await docker(['image', 'inspect', tag]).then(
    () => true,
    () => false,
  );
  if (!present) {
    const context = join(process.env.TMPDIR ?? '/tmp', `bench-nginx-${process.pid}`);
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'Dockerfile'), dockerfile);
    console.log(`building ${tag} (nginx from Debian 13, for the bench)`);
    await docker(['build', '-q', '-t', tag, context], 1_800_000);
  }
  return tag;
}

export interface NginxOptions {
  /** A `taskset -c` list, e.g. "1" or "0,1" (default: any CPU); nginx gets one worker per CPU in it. */
  cpus?: string;
  /** Run nginx in this image (benchNginxImage) instead of the machine's. */
  image?: string;
  /** A command the machine's nginx runs under (valgrind, for bench/cache/profile.ts); it also waits longer. */
  prefix?: string[];
}

export async function startNginx(
  dir: string,
  listenPort: number,
  originPort: number,
  { cpus, image, prefix = [] }: NginxOptions = {},
): Promise<RunningNginx> {
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const workers = cpus ? cpuCount(cpus) : 'auto';
  await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, listenPort, originPort, workers));
  const nginxArgs = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
  let child: ChildProcess;
  let pid: () => Promise<number>;
  let stop: () => Promise<void>;
  if (image) {
    const container = await spawnContainer(image, 'nginx', nginxArgs, { mounts: { writable: [dir] }, cpus });
    ({ child, pid, stop } = container);
  } else {
    const command = [...prefix, 'nginx', ...nginxArgs];
    const [first, ...args] = cpus ? ['taskset', '-c', cpus, ...command] : command;
    child = spawn(first!, args, { stdio: 'inherit' });
    pid = async () => child.pid!;
    stop = async () => {
      if (child.exitCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGQUIT');
      await gone;
    };
  }
  const failed = new Promise<never>((_, reject) => {
    child.on('error', (err) =>
      reject(new Error(`nginx could not start (${err.message}): tools/install.sh test-packages`)),
    );
    child.on('exit', (code) => reject(new Error(`nginx exited with ${code}; see ${dir}/error.log`)));
  });
  failed.catch(() => undefined);
  for (let i = 0; ; i++) {
    const ok = await Promise.race([answers(listenPort), failed]);
    if (ok) break;
    if (i > (prefix.length > 0 || image ? 3000 : 100)) throw new Error('nginx did not answer');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: await pid(), stop };
}

/** How many CPUs a taskset list names ("1", "0,1", "0-3,6"). */
export function cpuCount(list: string): number {
  return list.split(',').reduce((sum, part) => {
    const [from, to = from] = part.split('-').map(Number);
    return sum + (to! - from! + 1);
  }, 0);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
