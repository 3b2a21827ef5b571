// Who can invalidate Varnish in each environment: nobody over the network (acl purgers = loopback, no NetworkPolicy
// opening), and the replica identity alone through the Kubernetes API's port-forward (Role + RoleBinding).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentsFile, environmentNames, find, render, repoRoot, varnishName } from './chart.js';

/** The replica service account's id in terraform/modules/github-oidc (the identity replica.yml runs as). */
function replicaAccountId(): string {
  const main = readFileSync(join(repoRoot, 'terraform/modules/github-oidc/main.tf'), 'utf8');
  const id = /replica = \{\s*account_id\s*=\s*"([^"]+)"/.exec(main)?.[1];
  if (!id) throw new Error('no replica account_id in terraform/modules/github-oidc/main.tf');
  return id;
}

describe.each(environmentNames)('invalidation in %s', (environment) => {
  const objects = render(environment);
  const project = (environmentsFile.environments as Record<string, { gcpProject: string }>)[environment]!
    .gcpProject;

  it('admits PURGE/BAN from loopback only, and opens no network path for them', () => {
    const siteVcl = find(objects, 'ConfigMap', `${varnishName}-vcl`).data['site.vcl'] as string;
    expect(/acl purgers \{([^}]*)\}/.exec(siteVcl)?.[1]?.trim().split(/\s+/)).toEqual([
      '"127.0.0.1";',
      '"::1";',
    ]);
    const policy = find(objects, 'NetworkPolicy', varnishName);
    const ipBlocks = policy.spec.ingress[0].from.flatMap((peer: { ipBlock?: { cidr: string } }) =>
      peer.ipBlock ? [peer.ipBlock.cidr] : [],
    );
    expect(ipBlocks).toEqual(['130.211.0.0/22', '35.191.0.0/16']); // the load balancer's health checks and proxies
  });

  it("lets the environment's replica identity, and no one else, port-forward to Varnish", () => {
    const role = find(objects, 'Role', `${varnishName}-invalidator`);
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['services'], resourceNames: [varnishName], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods/portforward'], verbs: ['get', 'create'] },
    ]);
    const binding = find(objects, 'RoleBinding', `${varnishName}-invalidator`);
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: `${varnishName}-invalidator`,
    });
    expect(binding.subjects).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'User',
        name: `${replicaAccountId()}@${project}.iam.gserviceaccount.com`,
      },
    ]);
    const grantsOfRbac = objects.filter((o) =>
      ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(o.kind),
    );
    expect(grantsOfRbac.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      `Role/${varnishName}-invalidator`,
      `RoleBinding/${varnishName}-invalidator`,
    ]);
  });
});
