// `--gcp-credentials` takes any credentials file gcloud knows: CI's Workload Identity file (external_account), a
// service account key, and the authorized_user file `gcloud auth application-default login` writes on a laptop. The
// module hands the file to gcloud through GCLOUD_CREDENTIALS_VARIABLE (src/toolbox.ts). Here the real gcloud decides,
// offline, what it does with each file: it accepts the file and goes to that credential type's own token endpoint
// (the request fails here, with no network: that failure names the endpoint), or it refuses the file. Needs the gcloud
// CLI on PATH: the toolbox image, where `dagger call test` runs this, carries the pinned google-cloud-cli image's
// (tools/toolbox/Dockerfile); this machine has Google Cloud SDK 528. Without it the suite fails: never skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GCLOUD_CREDENTIALS_VARIABLE } from '../src/toolbox.ts';

const gcloudVersion = spawnSync('gcloud', ['--version'], { encoding: 'utf8', timeout: 90_000 });
const dir = mkdtempSync(join(tmpdir(), 'gcloud-credentials-'));

/** The three kinds of file, as their tools write them (no secret: a made-up token, a key made here). */
function files(): Record<'userAdc' | 'workloadIdentity' | 'serviceAccountKey', string> {
  const write = (name: string, content: object) => {
    writeFileSync(join(dir, name), JSON.stringify(content));
    return join(dir, name);
  };
  writeFileSync(join(dir, 'oidc-token'), 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
  const key = spawnSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], {
    encoding: 'utf8',
  });
  if (key.status !== 0) throw new Error(`openssl: ${key.stderr}`);
  return {
    // ~/.config/gcloud/application_default_credentials.json after `gcloud auth application-default login`
    userAdc: write('application_default_credentials.json', {
      type: 'authorized_user',
      client_id: '764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com',
      client_secret: 'made-up',
      refresh_token: '1//made-up-refresh-token',
      quota_project_id: 'maps-api-dev',
      universe_domain: 'googleapis.com',
    }),
    // what google-github-actions/auth writes (gha-creds-*.json): a file-sourced OIDC token, impersonating an account
    workloadIdentity: write('gha-creds-test.json', {
      type: 'external_account',
      audience:
        '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/github/providers/github',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      service_account_impersonation_url:
        'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/github-deployer@maps-api-dev.iam.gserviceaccount.com:generateAccessToken',
      credential_source: { file: join(dir, 'oidc-token'), format: { type: 'text' } },
    }),
    serviceAccountKey: write('key.json', {
      type: 'service_account',
      project_id: 'maps-api-dev',
      private_key_id: 'made-up',
      private_key: key.stdout,
      client_email: 'someone@maps-api-dev.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  };
}

/** The real gcloud with a configuration directory of its own, never prompting, bounded. */
function gcloud(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('gcloud', args, {
    encoding: 'utf8',
    timeout: 90_000,
    env: {
      ...process.env,
      CLOUDSDK_CONFIG: mkdtempSync(join(dir, 'config-')),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      ...env,
    },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** What a command that needs a token ends with offline: the token endpoint it tried (so the file was accepted). */
const tokenEndpointTried = (output: string) => /HTTPSConnectionPool\(host='([a-z0-9.]+)'/.exec(output)?.[1];

describe(`the real gcloud CLI with each --gcp-credentials file (${GCLOUD_CREDENTIALS_VARIABLE})`, () => {
  const credentials = files();

  it('runs gcloud from PATH (the toolbox image carries it; elsewhere install the Google Cloud CLI)', () => {
    const why = gcloudVersion.error?.message ?? `${gcloudVersion.stdout}${gcloudVersion.stderr}`;
    expect(
      gcloudVersion.status,
      `gcloud --version failed, so nothing below is checked (install the Google Cloud CLI, or run in devbox shell, which pins it): ${why}`,
    ).toBe(0);
    expect(gcloudVersion.stdout).toMatch(/^Google Cloud SDK \d+\.\d+\.\d+/m);
  }, 120_000);
  const withFile = (file: string) => ({ [GCLOUD_CREDENTIALS_VARIABLE]: file });

  it("refuses the laptop's application-default file through `gcloud auth login --cred-file` (what the module did)", () => {
    const refused = gcloud(['auth', 'login', `--cred-file=${credentials.userAdc}`, '--quiet']);
    expect(refused.output).toContain(
      'Only external account or service account JSON credential file types are supported',
    );
    expect(JSON.parse(readFileSync(credentials.userAdc, 'utf8'))).toMatchObject({
      type: 'authorized_user',
    });
  }, 120_000);

  it('accepts every kind through the variable the module sets, each going to its own token endpoint', () => {
    const tried = Object.fromEntries(
      Object.entries(credentials).map(([kind, file]) => {
        const run = gcloud(['auth', 'print-access-token'], withFile(file));
        expect(run.status, run.output).not.toBe(0); // no network here
        expect(run.output).not.toMatch(/Failed to load credential file|not supported/);
        return [kind, tokenEndpointTried(run.output)];
      }),
    );
    expect(tried).toEqual({
      userAdc: 'oauth2.googleapis.com', // the refresh token grant
      workloadIdentity: 'sts.googleapis.com', // the OIDC token exchange
      serviceAccountKey: 'oauth2.googleapis.com', // the signed JWT grant
    });
  }, 180_000);

  it('uses it for the commands the module runs (cluster endpoint, registry), with user credentials too', () => {
    for (const args of [
      [
        'container',
        'clusters',
        'describe',
        'maps-api-dev',
        '--location',
        'us-central1',
        '--project',
        'maps-api-dev',
      ],
      [
        'artifacts',
        'docker',
        'images',
        'describe',
        'us-central1-docker.pkg.dev/maps-api-production/maps/maps-api:x',
      ],
    ]) {
      const run = gcloud(args, withFile(credentials.userAdc));
      expect(tokenEndpointTried(run.output), run.output).toBe('oauth2.googleapis.com');
    }
  }, 180_000);

  it('refuses a file that is no credential, naming the types it takes', () => {
    writeFileSync(join(dir, 'not-credentials.json'), '{"hello": "world"}');
    const run = gcloud(['auth', 'print-access-token'], withFile(join(dir, 'not-credentials.json')));
    expect(run.output).toMatch(
      /does not have a valid type.*authorized_user.*service_account.*external_account/s,
    );
  }, 120_000);
});
