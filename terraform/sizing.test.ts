import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { monthlyCost, node, sizing } from './sizing.js';

const terraformDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(terraformDir);
const environments = ['dev', 'staging', 'production'] as const;

function tfvarsCluster(env: string) {
  const tfvars = readFileSync(join(terraformDir, 'envs', env, 'terraform.tfvars'), 'utf8');
  const number = (name: string) => Number(new RegExp(`^\\s*${name}\\s*=\\s*(\\d+)`, 'm').exec(tfvars)?.[1]);
  return { minNodes: number('min_nodes'), spot: /^\s*spot\s*=\s*true/m.test(tfvars) };
}

/** The docs' sizing table: | env | API pods | requests | nodes needed | min_nodes | monthly | */
function docsRow(env: string): string[] {
  const docs = readFileSync(join(repoRoot, 'docs/infrastructure.md'), 'utf8');
  const row = new RegExp(`^\\| ${env} \\|(.*)\\|$`, 'm').exec(
    docs.split('## Rough monthly cost')[1] ?? '',
  )?.[1];
  expect(row, `docs/infrastructure.md cost section has a row for ${env}`).toBeDefined();
  return row!.split('|').map((cell) => cell.trim());
}

describe('node counts and cost follow the chart values files', () => {
  it.each(environments)(
    "%s: min_nodes holds the chart's requests, system pods, a surge pod and a drained node",
    (env) => {
      const needed = sizing(repoRoot, env);
      expect(needed.apiPods).toBeGreaterThanOrEqual(5);
      expect(tfvarsCluster(env).minNodes, JSON.stringify(needed)).toBeGreaterThanOrEqual(needed.nodesNeeded);
    },
  );

  it('the Varnish pod fits on one node next to the DaemonSets', () => {
    const production = sizing(repoRoot, 'production');
    expect(production.requests.memoryMi).toBeGreaterThan(4096); // its 4 GiB cache is the bulk of production's memory
    expect(4096 + 32).toBeLessThan(node.memoryMi - 500);
  });

  it.each(environments)(
    '%s: docs/infrastructure.md states the computed requests, nodes and monthly cost',
    (env) => {
      const needed = sizing(repoRoot, env);
      const { minNodes, spot } = tfvarsCluster(env);
      const [pods, requests, nodesNeeded, min, cost] = docsRow(env);
      expect(pods).toBe(String(needed.apiPods));
      expect(requests).toBe(
        `${(needed.requests.cpuMilli / 1000).toFixed(2)} vCPU, ${(needed.requests.memoryMi / 1024).toFixed(1)} GiB`,
      );
      expect(nodesNeeded).toBe(String(needed.nodesNeeded));
      expect(min).toBe(`${minNodes}${spot ? ' Spot' : ''}`);
      expect(cost).toBe(`$${monthlyCost(minNodes, spot)}`);
    },
  );
});
