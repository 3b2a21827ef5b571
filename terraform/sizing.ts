import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// How many e2-standard-2 nodes each environment needs, and what that costs a month, computed from the chart's values
// files (their requests) so docs/infrastructure.md and the roots' min_nodes cannot drift from the chart.

/** GKE's allocatable on e2-standard-2 (2 vCPU, 8 GiB): CPU minus 6% of core 1 and 1% of core 2; memory minus 25% of
 * the first 4 GiB, 20% of the next 4 GiB and the 100 MiB eviction threshold. */
export const node = { cpuMilli: 2000 - 60 - 10, memoryMi: 8192 - 1024 - 819 - 100 };
/** Per-node DaemonSets of GKE Standard with Dataplane V2, logging and managed Prometheus (fluentbit-gke,
 * gke-metrics-agent, anetd, netd, pdcsi-node, collector): an estimate to replace with `kubectl describe node`. */
export const daemonSetsPerNode = { cpuMilli: 300, memoryMi: 500 };
/** Cluster-wide system Deployments (kube-dns x2, konnectivity, metrics-server, event exporter, GMP operator). */
export const systemPods = { cpuMilli: 700, memoryMi: 1000 };

/** us-central1 list prices, USD, 730 h a month. */
export const prices = {
  clusterFee: 0.1 * 730,
  nodeOnDemand: 0.067006 * 730,
  nodeSpot: 0.020102 * 730,
  diskPerNode: 50 * 0.1, // pd-balanced 50 GB
  natPerNode: 0.0014 * 730,
  loadBalancer: 0.025 * 730, // one forwarding rule (the Ingress)
  staticIp: 0.005 * 730, // the Ingress' global address, in use
};

type Values = Record<string, unknown>;

function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current as Values, value as Values)
        : value;
  }
  return out;
}

function cpuMilli(quantity: string | number): number {
  const text = String(quantity);
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

function memoryMi(quantity: string | number): number {
  const text = String(quantity);
  if (text.endsWith('Gi')) return Number(text.slice(0, -2)) * 1024;
  if (text.endsWith('Mi')) return Number(text.slice(0, -2));
  throw new Error(`unsupported memory quantity ${text}`);
}

export type Sizing = {
  environment: string;
  apiPods: number;
  requests: { cpuMilli: number; memoryMi: number };
  nodesNeeded: number;
};

/** Requests of the chart in one environment, and the nodes that hold them plus system pods, one rollout surge API pod
 * and one drained node (an upgrade or repair never waits for the autoscaler). */
export function sizing(repoRoot: string, environment: string): Sizing {
  const chart = join(repoRoot, 'charts/maps-api');
  const load = (file: string) => parse(readFileSync(join(chart, file), 'utf8')) as Values;
  const values = merge(load('values.yaml'), load(`values-${environment}.yaml`)) as {
    api: {
      replicas: number;
      resources: { requests: { cpu: string; memory: string } };
      autoscaling: { enabled: boolean; minReplicas: number };
    };
    varnish: {
      memoryLimitMi: number;
      cpuRequest: string;
      exporter: { resources: { requests: { cpu: string; memory: string } } };
    };
  };
  const apiPods = values.api.autoscaling.enabled ? values.api.autoscaling.minReplicas : values.api.replicas;
  const api = values.api.resources.requests;
  const exporter = values.varnish.exporter.resources.requests;
  const requests = {
    cpuMilli: apiPods * cpuMilli(api.cpu) + cpuMilli(values.varnish.cpuRequest) + cpuMilli(exporter.cpu),
    memoryMi: apiPods * memoryMi(api.memory) + values.varnish.memoryLimitMi + memoryMi(exporter.memory),
  };
  const usable = {
    cpuMilli: node.cpuMilli - daemonSetsPerNode.cpuMilli,
    memoryMi: node.memoryMi - daemonSetsPerNode.memoryMi,
  };
  const total = {
    cpuMilli: requests.cpuMilli + systemPods.cpuMilli + cpuMilli(api.cpu),
    memoryMi: requests.memoryMi + systemPods.memoryMi + memoryMi(api.memory),
  };
  const nodesNeeded =
    Math.max(Math.ceil(total.cpuMilli / usable.cpuMilli), Math.ceil(total.memoryMi / usable.memoryMi)) + 1;
  return { environment, apiPods, requests, nodesNeeded };
}

/** Monthly list cost at `nodes` nodes (USD, rounded). */
export function monthlyCost(nodes: number, spot: boolean): number {
  const perNode = (spot ? prices.nodeSpot : prices.nodeOnDemand) + prices.diskPerNode + prices.natPerNode;
  return Math.round(prices.clusterFee + nodes * perNode + prices.loadBalancer + prices.staticIp);
}
