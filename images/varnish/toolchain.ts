// The packages the Varnish image holds only because varnishd compiles VCL: what the varnish package's compiler
// dependencies (gcc for its architecture, binutils, libc6-dev) pull in, minus everything that any other package of the
// image needs without going through varnish. images/varnish/scan-policy.rego may waive unfixed findings in exactly
// these (images/image-contents.test.ts checks it).

/** Runs a shell script as root in an image; resolves to its standard output. */
export type InImage = (image: string, script: string) => Promise<string>;

const COMPILER_DEPENDENCY = /^(gcc-[a-z0-9_-]+-linux-gnu|binutils|libc6-dev)$/;

/** Every installed package's Depends and Pre-Depends on installed packages (alternatives included). */
async function dependencyGraph(image: string, inImage: InImage): Promise<Map<string, string[]>> {
  const out = await inImage(
    image,
    `apt-cache depends --installed --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces ` +
      `--no-enhances $(dpkg-query -W -f '\${Package} ')`,
  );
  const graph = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of out.split('\n')) {
    if (/^\S/.test(line)) graph.set(line.trim(), (current = []));
    const dependency = /^ [ |](?:Pre)?Depends: ([^<\s]\S*)$/.exec(line)?.[1];
    if (dependency) current.push(dependency);
  }
  return graph;
}

function reach(graph: Map<string, string[]>, roots: string[], skip: Set<string>): Set<string> {
  const seen = new Set<string>();
  const queue = roots.filter((r) => !skip.has(r));
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name) || !graph.has(name)) continue;
    seen.add(name);
    for (const next of graph.get(name)!) if (!skip.has(next)) queue.push(next);
  }
  return seen;
}

/** `base`: the packages of the image's base (never counted as the toolchain's, even when it depends on them). */
export async function toolchainOnlyPackages(
  image: string,
  inImage: InImage,
  base: string[],
): Promise<string[]> {
  const graph = await dependencyGraph(image, inImage);
  const varnish = graph.get('varnish') ?? [];
  const compiler = varnish.filter((d) => COMPILER_DEPENDENCY.test(d));
  if (compiler.length < 3)
    throw new Error(`varnish's compiler dependencies not found in ${image}: ${varnish.join(', ')}`);
  const toolchain = reach(graph, compiler, new Set());
  // Everything else: every other package as a root, and varnish's other dependencies, never through varnish itself
  // (the exporter depends on it).
  const others = [...graph.keys()].filter((p) => p !== 'varnish' && !toolchain.has(p));
  const needed = reach(
    graph,
    [...others, ...varnish.filter((d) => !compiler.includes(d))],
    new Set(['varnish']),
  );
  return [...toolchain].filter((p) => !needed.has(p) && !base.includes(p)).sort();
}
