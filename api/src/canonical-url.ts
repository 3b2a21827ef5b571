// One spelling per tile and per table (api/README.md, "Canonical URLs"): the router would decode `%5F` to `_`, and
// Varnish keys on the raw URL, so every other spelling of a resource would be another cache key and another query.
// No character of a valid table id, column name or format needs percent-encoding, so any `%` there is refused; z/x/y
// without sign or leading zero is the routes' own schema (src/routes/tileset.ts).
const CANONICAL_PARAMETERS = new Set(['geomField', 'format']);

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Why a request URL is not the canonical spelling of a data resource; undefined when it is (or is no data route). */
export function nonCanonical(url: string): string | undefined {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  if (!path.startsWith('/maps/')) return undefined;
  if (path.includes('%')) return 'percent-encoded characters in the path';
  if (queryAt < 0 || !path.startsWith('/maps/table/')) return undefined;
  for (const pair of url.slice(queryAt + 1).split('&')) {
    const [name = '', value = ''] = pair.split(/=(.*)/s);
    const plain = decoded(name);
    if (plain !== undefined && CANONICAL_PARAMETERS.has(plain) && (plain !== name || /[%+]/.test(value)))
      return `an encoded ${plain} parameter`;
  }
  return undefined;
}
