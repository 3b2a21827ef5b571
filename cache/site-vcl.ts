/**
 * Renders the "site" VCL: the entry point given to `varnishd -f` (with `-p vcl_path=<POLICY_DIR>`). It declares
 * where backends are and who may invalidate, then includes the backend-free policy. The chart renders the same
 * shape with one backend (the API's ClusterIP Service); see charts/maps-api/files/vcl/README.md.
 */
export interface Backend {
  host: string;
  port: number;
}

export interface SiteOptions {
  backends: Backend[];
  /** Addresses or CIDRs allowed to PURGE and BAN, e.g. "127.0.0.1", "10.0.0.0/8", "::1". */
  purgeAcl: string[];
}

const HOST = /^[A-Za-z0-9.-]+$|^[0-9A-Fa-f:]+$/;
const ACL_ENTRY = /^([0-9A-Fa-f.:]+)(?:\/(\d{1,3}))?$/;

export function renderSiteVcl({ backends, purgeAcl }: SiteOptions): string {
  if (backends.length === 0) throw new Error('at least one backend is required');
  const backendDecls = backends.map(({ host, port }, i) => {
    if (!HOST.test(host)) throw new Error(`invalid backend host: ${host}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid backend port: ${port}`);
    return [
      `backend api_${i} {`,
      `    .host = "${host}";`,
      `    .port = "${port}";`,
      `    .probe = healthz;`,
      `    .connect_timeout = 1s;`,
      `    .first_byte_timeout = 60s;`,
      `    .between_bytes_timeout = 10s;`,
      `}`,
    ].join('\n');
  });
  const aclEntries = purgeAcl.map((entry) => {
    const match = ACL_ENTRY.exec(entry);
    if (!match) throw new Error(`invalid purge ACL entry: ${entry}`);
    return match[2] === undefined ? `    "${match[1]}";` : `    "${match[1]}"/${match[2]};`;
  });
  return [
    'vcl 4.1;',
    '',
    'import directors;',
    '',
    'include "probe.vcl";',
    '',
    ...backendDecls,
    '',
    'acl purgers {',
    ...aclEntries,
    '}',
    '',
    'sub vcl_init {',
    '    new api = directors.round_robin();',
    ...backends.map((_, i) => `    api.add_backend(api_${i});`),
    '}',
    '',
    'sub vcl_recv {',
    '    set req.backend_hint = api.backend();',
    '}',
    '',
    'include "policy.vcl";',
    '',
  ].join('\n');
}
