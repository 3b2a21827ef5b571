// Response headers the cache layer (Varnish) relies on: policy, validators, and the keys used for invalidation.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatTableRef, type TableInfo } from './table-id.js';

/**
 * Sets Cache-Control, ETag, Last-Modified, X-Table-Id (ban key) and X-Data-Version, and answers 304 when the
 * client's If-None-Match already names this version: the ETag is derived from the table's last-modified time and
 * the canonical request (what the route reads of the URL, never ignored query parameters, so URLs answered alike
 * share one validator), and revalidation costs a metadata read, never a query.
 * Returns true when the reply was sent as 304.
 */
export function versionHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  table: TableInfo,
  cacheControl: string,
  canonicalRequest: string,
): boolean {
  const version = table.lastModified.toISOString();
  const etag = `"${createHash('sha256').update(`${version} ${canonicalRequest}`).digest('base64url').slice(0, 27)}"`;
  reply.headers({
    'cache-control': cacheControl,
    etag,
    'last-modified': table.lastModified.toUTCString(),
    'x-table-id': formatTableRef(table.ref),
    'x-data-version': version,
  });
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    reply.code(304).send();
    return true;
  }
  return false;
}

export const ERROR_CACHE_CONTROL = {
  client: 'public, max-age=30',
  server: 'no-store',
} as const;
