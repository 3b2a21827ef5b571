import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { versionHeaders } from '../caching.js';
import { badRequest } from '../errors.js';
import {
  CONTENT_ENCODING_GZIP,
  DATA_ROUTE_ERRORS,
  IF_NONE_MATCH,
  NOT_MODIFIED,
  versioned,
} from '../responses.js';
import { TABLE_ID_PATTERN, formatTableRef, resolveTableId } from '../table-id.js';

// Decimal integers without sign, exponent or leading zeros: "1e3", "+1" and "01" are refused, not coerced.
const INTEGER = '^(0|[1-9][0-9]{0,9})$';
const TILESET_COLUMNS = ['z', 'x', 'y', 'data'];

export const tilesetRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { config, reader } = app;
  const ZOOMS = Array.from({ length: config.MAX_ZOOM + 1 }, (_, z) => String(z));
  app.get(
    '/maps/tileset/:id/:z/:x/:y',
    {
      schema: {
        summary: 'One vector tile of a BigQuery tileset (gzip MVT); 204 when the tileset has no such tile',
        description:
          'x and y must be below 2^z (400 otherwise). Query parameters are ignored: the path alone names the tile ' +
          '(the cache key drops the query string too).',
        params: {
          type: 'object',
          required: ['id', 'z', 'x', 'y'],
          properties: {
            id: {
              type: 'string',
              pattern: TABLE_ID_PATTERN,
              maxLength: 1100,
              description: 'project.dataset.table',
              examples: ['carto-demo-data.demo_tilesets.osm_buildings'],
            },
            z: { type: 'string', enum: ZOOMS, description: `zoom, 0..${config.MAX_ZOOM}`, examples: ['0'] },
            x: { type: 'string', pattern: INTEGER, description: 'column, 0..2^z-1', examples: ['0'] },
            y: { type: 'string', pattern: INTEGER, description: 'row, 0..2^z-1', examples: ['0'] },
          },
        },
        headers: IF_NONE_MATCH,
        response: {
          200: versioned(
            'gzip-encoded Mapbox Vector Tile',
            { 'application/vnd.mapbox-vector-tile': { schema: { type: 'string', format: 'binary' } } },
            CONTENT_ENCODING_GZIP,
          ),
          204: versioned(
            'the tileset has no tile at these coordinates (outside its zooms or area: answered without a query)',
          ),
          304: NOT_MODIFIED,
          ...DATA_ROUTE_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const z = Number(request.params.z);
      const x = Number(request.params.x);
      const y = Number(request.params.y);
      if (x >= 2 ** z || y >= 2 ** z)
        throw badRequest(`x and y must be between 0 and ${2 ** z - 1} at zoom ${z}`);
      const table = await reader.table(resolveTableId(request.params.id, config));
      if (TILESET_COLUMNS.some((column) => !table.columns.has(column))) {
        throw badRequest(
          `${request.params.id} is not a tileset (needs columns ${TILESET_COLUMNS.join(', ')})`,
        );
      }
      const canonical = `tile ${formatTableRef(table.ref)}/${z}/${x}/${y}`;
      if (versionHeaders(request, reply, table, config.TILE_CACHE_CONTROL, canonical)) return reply;
      const tile = await reader.tile(table, z, x, y);
      if (!tile) return reply.code(204).send();
      return reply.type('application/vnd.mapbox-vector-tile').header('content-encoding', 'gzip').send(tile);
    },
  );
};
