// Serves the viewer on an origin of its own (its own port), so the page talks to the API across origins exactly
// as the users' jsfiddle does. esbuild bundles on start, in memory (about a second), and serves the files itself.
import * as esbuild from 'esbuild';
import { buildOptions } from './build.js';

export interface ViewerServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The page showing `api`. */
  pageFor(api: string): string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  port: number;
  host?: string;
  /** What the page's "local" entry points to (default: Varnish on environments.json's port or VARNISH_PORT). */
  localApiUrl?: string;
  /** The picker's environments (default: those whose MAPS_API_HOST_<ENV> this process was given). */
  environmentTargets?: { name: string; url: string }[];
  /** Rebuild when viewer/src changes (npm start). */
  watch?: boolean;
}

export async function serveViewer(options: ServeOptions): Promise<ViewerServer> {
  const host = options.host ?? '127.0.0.1';
  // The output directory only names the files; serve mode keeps them in memory and never writes them.
  const outdir = new URL('./dist', import.meta.url).pathname;
  const context = await esbuild.context({
    ...buildOptions(outdir, options.localApiUrl, options.environmentTargets),
    write: false,
  });
  try {
    await context.rebuild(); // fail here, with esbuild's message, rather than on the first page load
    if (options.watch) await context.watch();
    const { port } = await context.serve({ host, port: options.port });
    const url = `http://${host}:${port}`;
    return {
      url,
      pageFor: (api) => `${url}/?api=${encodeURIComponent(api)}`,
      stop: () => context.dispose(),
    };
  } catch (error) {
    await context.dispose();
    throw error;
  }
}
