// The public table ids the map's two layers read; every environment serves both (viewer/served-tables.test.ts).
// The sample's own ids too (emulator/src/sample-data.ts).
export const TILESET = 'carto-demo-data.demo_tilesets.osm_buildings';
export const TABLE = 'carto-demo-data.demo_tables.retail_stores';
