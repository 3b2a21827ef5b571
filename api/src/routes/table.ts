import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { versionHeaders } from '../caching.js';
import { badRequest } from '../errors.js';
import { featureCollection } from '../geojson.js';
import { DATA_ROUTE_ERRORS, IF_NONE_MATCH, NOT_MODIFIED, versioned } from '../responses.js';
import { COLUMN_PATTERN, TABLE_ID_PATTERN, formatTableRef, resolveTableId } from '../table-id.js';

const GEOMETRY_TYPES = new Set(['GEOGRAPHY', 'STRING']);
const FEATURE_COLLECTION = {
  type: 'object',
  required: ['type', 'features'],
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'geometry', 'properties'],
        properties: {
          type: { type: 'string', enum: ['Feature'] },
          geometry: { type: ['object', 'null'] },
          properties: { type: 'object' },
        },
      },
    },
  },
};

export const tableRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const { config, reader } = app;
  app.get(
    '/maps/table/:id',
    {
      schema: {
        summary: 'Every row of a BigQuery table as a GeoJSON FeatureCollection',
        description:
          'Query parameters other than geomField and format are ignored (and are not part of the cache key).',
        params: {
          type: 'object',
          required: ['id'],
          properties: {
            id: {
              type: 'string',
              pattern: TABLE_ID_PATTERN,
              maxLength: 1100,
              examples: ['carto-demo-data.demo_tables.retail_stores'],
            },
          },
        },
        querystring: {
          type: 'object',
          required: ['geomField'],
          properties: {
            geomField: {
              type: 'string',
              pattern: COLUMN_PATTERN,
              description: 'GEOGRAPHY or WKT/GeoJSON STRING column',
              examples: ['geom'],
            },
            format: { type: 'string', enum: ['geojson'], default: 'geojson' },
          },
        },
        headers: IF_NONE_MATCH,
        response: {
          200: versioned(
            'GeoJSON FeatureCollection, geometry from geomField, the other columns as properties',
            {
              'application/geo+json': { schema: FEATURE_COLLECTION },
            },
          ),
          304: NOT_MODIFIED,
          ...DATA_ROUTE_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { geomField } = request.query;
      const table = await reader.table(resolveTableId(request.params.id, config));
      const type = table.columns.get(geomField);
      if (!type) throw badRequest(`geomField: ${request.params.id} has no column "${geomField}"`);
      if (!GEOMETRY_TYPES.has(type))
        throw badRequest(`geomField: column "${geomField}" is ${type}, not GEOGRAPHY or STRING`);
      const canonical = `table ${formatTableRef(table.ref)}?geomField=${geomField}&format=${request.query.format}`;
      if (versionHeaders(request, reply, table, config.TABLE_CACHE_CONTROL, canonical)) return reply;
      reader.refuseOversized(table, geomField, config.MAX_JSON_RESPONSE_SIZE);
      const body = await featureCollection(reader.rows(table), geomField, config.MAX_JSON_RESPONSE_SIZE);
      return reply.type('application/geo+json').send(body);
    },
  );
};
