// The viewer's bundle: esbuild turns viewer/src (MapLibre GL JS from npm, its CSS and its worker) into a few static
// files. `npm start` and the browser test serve them from memory (serve.ts); `node --import tsx viewer/build.ts DIR`
// writes them to DIR for any static host.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const SOURCE_DIR = fileURLToPath(new URL('./src', import.meta.url));

/** The API the page's "local" entry names: Varnish on this machine, on the port `npm start` uses. */
export function defaultLocalApiUrl(): string {
  const { ports } = JSON.parse(readFileSync(new URL('../environments.json', import.meta.url), 'utf8')) as {
    ports: { varnish: number };
  };
  return `http://127.0.0.1:${Number(process.env.VARNISH_PORT || ports.varnish)}`;
}

/**
 * The environments the picker lists: those whose host this process was given, by the variable environments.json
 * names (MAPS_API_HOST_DEV…, the same names as the repository variables the workflows read). Hosts are never facts
 * of the repository, so with none given the picker offers local and any URL.
 */
export function environmentTargets(env: NodeJS.ProcessEnv = process.env): { name: string; url: string }[] {
  const { environments } = JSON.parse(
    readFileSync(new URL('../environments.json', import.meta.url), 'utf8'),
  ) as {
    environments: Record<string, { hostVariable: string }>;
  };
  return Object.entries(environments).flatMap(([name, { hostVariable }]) => {
    const host = env[hostVariable]?.trim();
    return host ? [{ name, url: `https://${host}` }] : [];
  });
}

export function buildOptions(
  outdir: string,
  localApiUrl = defaultLocalApiUrl(),
  targets = environmentTargets(),
): esbuild.BuildOptions {
  return {
    entryPoints: [
      { in: `${SOURCE_DIR}/main.ts`, out: 'app' },
      // MapLibre 6 runs its worker from a module file of its own; main.ts points setWorkerUrl at this output.
      { in: 'maplibre-gl/dist/maplibre-gl-worker.mjs', out: 'maplibre-gl-worker' },
      { in: `${SOURCE_DIR}/index.html`, out: 'index' },
    ],
    loader: { '.html': 'copy' },
    absWorkingDir: fileURLToPath(new URL('.', import.meta.url)), // resolves maplibre-gl from any cwd
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    outdir,
    define: { LOCAL_API_URL: JSON.stringify(localApiUrl), ENVIRONMENT_TARGETS: JSON.stringify(targets) },
    logLevel: 'warning',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ?? fileURLToPath(new URL('./dist', import.meta.url));
  const result = await esbuild.build({ ...buildOptions(outdir), metafile: true });
  console.log(await esbuild.analyzeMetafile(result.metafile));
}
