// Where the invalidate step sends its BAN. Varnish accepts BAN only from `acl purgers`, which is loopback alone in every
// environment, so a cluster's Varnish is reached through the Kubernetes API's port-forward: the request leaves the
// kubelet inside the pod's network namespace and arrives from 127.0.0.1 (docs/caching.md#invalidation).
import { UsageError } from './table-ref.js';

export type CacheTarget =
  /** One Varnish reached directly (the local stack: it runs on this machine, so the request comes from loopback). */
  | { kind: 'url'; url: string }
  /** Every ready pod behind a Service (each Varnish pod has a cache of its own). */
  | { kind: 'kubernetes'; namespace: string; service: string; port: number };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function urlTarget(value: string): CacheTarget {
  return { kind: 'url', url: new URL(value).toString() };
}

/** `namespace/service[:port]`, port 8080 (the chart's Varnish http port) when absent. */
export function serviceTarget(value: string): CacheTarget {
  const match = /^([^/:]+)\/([^/:]+)(?::(\d{1,5}))?$/.exec(value);
  const [, namespace = '', service = '', port = '8080'] = match ?? [];
  if (!match || !DNS_LABEL.test(namespace) || !DNS_LABEL.test(service) || Number(port) > 65535) {
    throw new UsageError(`--ban-service must be namespace/service[:port], got ${JSON.stringify(value)}`);
  }
  return { kind: 'kubernetes', namespace, service, port: Number(port) };
}
