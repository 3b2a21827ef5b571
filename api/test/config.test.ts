// The API's settings: one schema (src/config.ts) is the list; defaults, types and refusals come from it, and every
// other place that names a setting (the chart, compose) names one the schema has.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SAMPLE_TABLE, SAMPLE_TILESET } from '@maps-api/emulator';
import { loadConfig, settingsSchema } from '../src/config.js';

const API = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SETTINGS = Object.keys(settingsSchema.properties).sort();

describe('settings from the environment', () => {
  it('applies the schema defaults with their types', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.MAX_JSON_RESPONSE_SIZE).toBe(10 * 1024 * 1024);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.HOSTNAME).toBe(`pid-${process.pid}`);
    expect(config.GOOGLE_CLOUD_PROJECT).toBeUndefined();
    // the embedded sample tables, each read under its own id (the emulator holds them there)
    expect([...config.SERVED_TABLES]).toEqual([
      ['carto-demo-data.demo_tilesets.osm_buildings', 'carto-demo-data.demo_tilesets.osm_buildings'],
      ['carto-demo-data.demo_tables.retail_stores', 'carto-demo-data.demo_tables.retail_stores'],
    ]);
  });

  it('turns numeric variables into numbers and the byte cap into the decimal string BigQuery takes', () => {
    const config = loadConfig({ PORT: '8081', MAX_ZOOM: '18', MAXIMUM_BYTES_BILLED: '20971520' });
    expect(config.PORT).toBe(8081);
    expect(config.MAX_ZOOM).toBe(18);
    expect(config.MAXIMUM_BYTES_BILLED).toBe('20971520');
  });

  it('bills the emulator to project "local" unless a project is set', () => {
    const emulator = 'http://127.0.0.1:9/bigquery/v2';
    expect(loadConfig({ BIGQUERY_EMULATOR_HOST: emulator }).GOOGLE_CLOUD_PROJECT).toBe('local');
    expect(
      loadConfig({ BIGQUERY_EMULATOR_HOST: emulator, GOOGLE_CLOUD_PROJECT: 'maps-api-dev' })
        .GOOGLE_CLOUD_PROJECT,
    ).toBe('maps-api-dev');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['MAX_ZOOM', '31'],
    ['LOG_LEVEL', 'loud'],
    ['QUERY_TIMEOUT_MS', '10'],
    ['MAXIMUM_BYTES_BILLED', '1024'],
  ])('refuses %s=%s at startup, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  describe('with a variable set in the process environment', () => {
    const saved = process.env.MAX_ZOOM;
    afterEach(() => {
      if (saved === undefined) delete process.env.MAX_ZOOM;
      else process.env.MAX_ZOOM = saved;
    });

    it('reads only the environment it is given', () => {
      process.env.MAX_ZOOM = '3';
      expect(loadConfig({}).MAX_ZOOM).toBe(24);
      expect(loadConfig().MAX_ZOOM).toBe(3);
    });
  });
});

describe('one list of settings', () => {
  it('the local default and compose serve exactly the sample tables the emulator holds', () => {
    const compose = parse(readFileSync(join(API, '../compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    const samples = new Map([SAMPLE_TILESET, SAMPLE_TABLE].map((id) => [id, id]));
    expect(loadConfig({}).SERVED_TABLES).toEqual(samples);
    const servedBy = Object.entries(compose.services).filter(([, s]) => s.environment?.SERVED_TABLES);
    expect(servedBy.map(([name]) => name)).toEqual(['api-1', 'api-2', 'api-3', 'api-4', 'api-5', 'api-dev']);
    for (const [, service] of servedBy)
      expect(loadConfig({ SERVED_TABLES: service.environment!.SERVED_TABLES }).SERVED_TABLES).toEqual(
        samples,
      );
  });

  it('the chart sets only settings the API reads (and the standard OTEL_* ones)', () => {
    const template = readFileSync(join(API, '../charts/maps-api/templates/api-deployment.yaml'), 'utf8');
    const variables = [...template.matchAll(/^\s+- name: ([A-Z][A-Z0-9_]+)$/gm)].map(([, name]) => name!);
    expect(variables.length).toBeGreaterThan(5);
    expect(variables.filter((name) => !name.startsWith('OTEL_') && !SETTINGS.includes(name))).toEqual([]);
  });
});

describe('module structure of api/src', () => {
  it('no module imports, directly or through others, a module that imports it', () => {
    const sources = join(API, 'src');
    const files = readdirSync(sources, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const importsOf = (file: string) =>
      ts
        .preProcessFile(readFileSync(join(sources, file), 'utf8'), true, true)
        .importedFiles.map(({ fileName }) => fileName)
        .filter((name) => name.startsWith('.'))
        .map((name) => join(dirname(file), name).replace(/\.js$/, '.ts'));
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    expect([...graph.values()].flat().length).toBeGreaterThan(files.length);

    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) return cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
