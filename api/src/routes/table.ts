import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { versionHeaders } from '../caching.js';
import { badRequest } from '../errors.js';
import { featureCollection } from '../geojson.js';
import { COLUMN_PATTERN, TABLE_ID_PATTERN, parseTableId } from '../table-id.js';

interface TableQuery {
  geomField: string;
  format: 'geojson';
}

const GEOMETRY_TYPES = new Set(['GEOGRAPHY', 'STRING']);

export function tableRoutes(app: FastifyInstance, { config, reader }: AppContext) {
  app.get<{ Params: { id: string }; Querystring: TableQuery }>(
    '/maps/table/:id',
    {
      schema: {
        summary: 'Every row of a BigQuery table as a GeoJSON FeatureCollection',
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: TABLE_ID_PATTERN, maxLength: 1100 } },
        },
        querystring: {
          type: 'object',
          required: ['geomField'],
          properties: {
            geomField: {
              type: 'string',
              pattern: COLUMN_PATTERN,
              description: 'GEOGRAPHY or WKT/GeoJSON STRING column',
            },
            format: { type: 'string', enum: ['geojson'], default: 'geojson' },
          },
        },
        response: {
          200: {
            description: 'GeoJSON FeatureCollection',
            content: { 'application/geo+json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    async (request, reply) => {
      const { geomField } = request.query;
      const table = await reader.table(parseTableId(request.params.id, config.allowedDatasets));
      const type = table.columns.get(geomField);
      if (!type) throw badRequest(`geomField: ${request.params.id} has no column "${geomField}"`);
      if (!GEOMETRY_TYPES.has(type))
        throw badRequest(`geomField: column "${geomField}" is ${type}, not GEOGRAPHY or STRING`);
      if (versionHeaders(request, reply, table, config.tableCacheControl)) return reply;
      const body = await featureCollection(reader.rows(table), geomField, config.maxJsonResponseSize);
      return reply.type('application/geo+json').send(body);
    },
  );
}
