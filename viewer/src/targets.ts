// Where the page can point: local (this machine's Varnish), every environment of environments.json, or any URL.
import environments from '../../environments.json';

declare const LOCAL_API_URL: string; // set by the bundler (viewer/build.ts): the Varnish port `npm start` uses

export interface Target {
  name: string;
  url: string;
}

export function knownTargets(): Target[] {
  return [
    { name: 'local', url: LOCAL_API_URL },
    ...Object.entries(environments.environments).map(([name, env]) => ({ name, url: `https://${env.host}` })),
  ];
}

/** The API this page shows: `?api=<base URL>`, else local. The URL is the page's whole state, so it can be shared. */
export function chosenApi(search: string): string {
  const api = new URLSearchParams(search).get('api')?.trim();
  return (api || LOCAL_API_URL).replace(/\/+$/, '');
}
