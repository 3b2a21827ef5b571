import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { CORS_RESPONSE_HEADERS } from '../../api/src/cors.js';

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

/** `cpus`: a `taskset -c` list, e.g. "1" or "0,1" (default: any CPU); nginx gets one worker per CPU in it. */
export async function startNginx(
  dir: string,
  listenPort: number,
  originPort: number,
  cpus?: string,
): Promise<RunningNginx> {
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const workers = cpus ? cpuCount(cpus) : 'auto';
  await writeFile(join(dir, 'nginx.conf'), nginxConfig(dir, listenPort, originPort, workers));
  const nginxArgs = ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
  const [command, ...args] = cpus ? ['taskset', '-c', cpus, ...nginxArgs] : nginxArgs;
  const child = spawn(command!, args, { stdio: 'inherit' });
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
    if (i > 100) throw new Error('nginx did not answer');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGQUIT');
      await gone;
    },
  };
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
