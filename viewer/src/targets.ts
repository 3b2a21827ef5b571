// Where the page can point: local (this machine's Varnish), each environment whose host was given at build time
// (viewer/build.ts: the environment variables environments.json names, MAPS_API_HOST_DEV…), or any URL.
declare const LOCAL_API_URL: string; // set by the bundler (viewer/build.ts): the Varnish port `npm start` uses
declare const ENVIRONMENT_TARGETS: Target[]; // set by the bundler: environments with a known host, as https URLs

export interface Target {
  name: string;
  url: string;
}

export function knownTargets(): Target[] {
  return [{ name: 'local', url: LOCAL_API_URL }, ...ENVIRONMENT_TARGETS];
}

/** The API this page shows: `?api=<base URL>`, else local. The URL is the page's whole state, so it can be shared. */
export function chosenApi(search: string): string {
  const api = new URLSearchParams(search).get('api')?.trim();
  return (api || LOCAL_API_URL).replace(/\/+$/, '');
}
