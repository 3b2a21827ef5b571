// The picker's environments come from the hosts the server is given, never from the repository.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentTargets } from './build.js';

describe('the viewer picker', () => {
  it('lists an environment only when its host variable is given, as https', () => {
    expect(environmentTargets({})).toEqual([]);
    expect(
      environmentTargets({ MAPS_API_HOST_DEV: 'maps-api.dev.acme-maps.net', MAPS_API_HOST_PRODUCTION: ' ' }),
    ).toEqual([{ name: 'dev', url: 'https://maps-api.dev.acme-maps.net' }]);
  });

  it('reads no host from environments.json (each is an input, named by hostVariable)', () => {
    const file = JSON.parse(readFileSync(new URL('../environments.json', import.meta.url), 'utf8')) as {
      environments: Record<string, Record<string, string>>;
    };
    for (const [name, env] of Object.entries(file.environments)) {
      expect(env.host, name).toBeUndefined();
      expect(env.hostVariable).toBe(`MAPS_API_HOST_${name.toUpperCase()}`);
    }
  });
});
