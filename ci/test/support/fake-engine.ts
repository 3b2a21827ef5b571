/**
 * A loopback stand-in for the Dagger engine's GraphQL session API. The SDK connects to it through
 * DAGGER_SESSION_PORT/DAGGER_SESSION_TOKEN exactly as it does inside a real engine; every query is parsed and
 * recorded as a call chain, and answered with plausible leaves (ids, stdout, file contents from the real repo).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Kind, parse, print, type FieldNode, type InlineFragmentNode, type ValueNode } from 'graphql';

export interface Call {
  field: string;
  args: Record<string, unknown>;
}

/** One GraphQL query = one chain of calls from the root (ids of objects it started from are expanded). */
export type Chain = Call[];

export interface FakeEngineOptions {
  /** Directory served for chains rooted at loadDirectoryFromID(id: "repo-root"). */
  repoRoot: string;
}

export const REPO_ROOT_ID = 'repo-root';

function valueOf(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(valueOf);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value)]));
    default:
      throw new Error(`unsupported GraphQL value ${print(node)}`);
  }
}

export class FakeEngine {
  readonly token = 'fake-session-token';
  readonly queries: string[] = [];
  readonly chains: Chain[] = [];
  /** id → the chain that produced it, so a chain starting at load…FromID(id) can be expanded to its origin. */
  readonly origins = new Map<string, Chain>();
  /** Answer with an error when a chain's withExec args contain this text (to exercise failure paths). */
  failExecContaining: string | undefined;
  /** Answer with an error when a chain starts a container from an address containing this text (a failed pull). */
  failFromContaining: string | undefined;
  /** Custom stdout for an exec (e.g. a real-looking digest); undefined falls back to "ran [args]". */
  stdoutFor: ((args: string[]) => string | undefined) | undefined;
  /** Exit code for an exec run with `expect: ANY` (default 0). */
  exitCodeFor: ((args: string[]) => number | undefined) | undefined;
  private server: Server | undefined;
  private counter = 0;

  constructor(readonly options: FakeEngineOptions) {}

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const auth = req.headers.authorization ?? '';
        if (auth !== `Basic ${Buffer.from(`${this.token}:`).toString('base64')}`) {
          res.writeHead(401).end();
          return;
        }
        const { query } = JSON.parse(body) as { query: string };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(this.answer(query)));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return (this.server?.address() as AddressInfo).port;
  }

  reset(): void {
    this.queries.length = 0;
    this.chains.length = 0;
    this.failExecContaining = undefined;
    this.failFromContaining = undefined;
    this.stdoutFor = undefined;
    this.exitCodeFor = undefined;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Chains expanded to start from a real root (setSecret, container, loadDirectoryFromID(repo-root) …). */
  expanded(chain: Chain): Chain {
    const first = chain[0];
    if (first && (/^load\w+FromID$/.test(first.field) || first.field === 'node')) {
      const origin = this.origins.get(String(first.args.id));
      if (origin) return [...this.expanded(origin), ...chain.slice(1)];
    }
    return chain;
  }

  private answer(query: string): unknown {
    this.queries.push(query);
    const operation = parse(query).definitions[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error('expected an operation');
    const chain: Chain = [];
    let selection = operation.selectionSet.selections[0] as FieldNode | InlineFragmentNode | undefined;
    while (selection) {
      // node(id) { ... on Container { … } }: the SDK's way back to a synced object; the fragment adds no level.
      if (selection.kind === Kind.FIELD) {
        chain.push({
          field: selection.name.value,
          args: Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, valueOf(a.value)])),
        });
      }
      selection = selection.selectionSet?.selections[0] as FieldNode | InlineFragmentNode | undefined;
    }
    this.chains.push(chain);
    const full = this.expanded(chain);
    const failing = this.failExecContaining;
    if (
      failing &&
      full.some((c) => c.field === 'withExec' && JSON.stringify(c.args.args).includes(failing))
    ) {
      return {
        errors: [{ message: `process exited with code 1 (${failing})`, path: chain.map((c) => c.field) }],
      };
    }
    const pull = this.failFromContaining;
    if (pull && full.some((c) => c.field === 'from' && String(c.args.address).includes(pull))) {
      return {
        errors: [{ message: `failed to resolve source metadata for ${pull}: not found`, path: ['from'] }],
      };
    }
    const leaf = this.leaf(chain, full);
    let data: unknown = leaf;
    for (const call of [...chain].reverse()) data = { [call.field]: data };
    return { data };
  }

  private leaf(chain: Chain, full: Chain): unknown {
    const last = chain[chain.length - 1]?.field ?? '';
    switch (last) {
      case 'id':
      case 'sync': {
        const id = `fake-id-${++this.counter}`;
        this.origins.set(id, chain.slice(0, -1));
        return id;
      }
      case 'contents': {
        const root = full[0];
        const file = full[full.length - 2];
        if (
          root?.field === 'loadDirectoryFromID' &&
          root.args.id === REPO_ROOT_ID &&
          file?.field === 'file'
        ) {
          return readFileSync(join(this.options.repoRoot, String(file.args.path)), 'utf8');
        }
        return `contents of ${String(file?.args.path)}`;
      }
      case 'entries': {
        // loadDirectoryFromID(repo-root).directory(a).directory(b)…entries → the real folder's names.
        if (full[0]?.field !== 'loadDirectoryFromID' || full[0].args.id !== REPO_ROOT_ID) return [];
        const path = full
          .slice(1, -1)
          .map((c) => (c.field === 'directory' ? String(c.args.path) : undefined));
        if (path.includes(undefined)) return [];
        return readdirSync(join(this.options.repoRoot, ...(path as string[])));
      }
      case 'stdout': {
        const exec = [...full].reverse().find((c) => c.field === 'withExec');
        const args = (exec?.args.args ?? []) as string[];
        return this.stdoutFor?.(args) ?? `ran ${JSON.stringify(args)}`;
      }
      case 'exitCode': {
        const exec = [...full].reverse().find((c) => c.field === 'withExec');
        return this.exitCodeFor?.((exec?.args.args ?? []) as string[]) ?? 0;
      }
      case 'publish':
        return `${String(chain[chain.length - 1]?.args.address)}@sha256:${'ab'.repeat(32)}`;
      case 'name':
        return 'maps-api';
      default:
        return '';
    }
  }
}

/** Points the SDK's global client at the fake engine. */
export function useFakeEngine(port: number, engine: FakeEngine): void {
  process.env.DAGGER_SESSION_PORT = String(port);
  process.env.DAGGER_SESSION_TOKEN = engine.token;
}

/** Human-readable one-line form of a chain, for assertions and failure messages. */
export function describe(chain: Chain): string {
  return chain
    .map((c) => `${c.field}(${Object.keys(c.args).length ? JSON.stringify(c.args) : ''})`)
    .join('.');
}
