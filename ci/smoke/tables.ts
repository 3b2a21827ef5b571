/** Which tables a smoke may read in an environment: only ids its chart values serve (any other id is a 403). */
import { load } from 'js-yaml';

export const SAMPLE_TABLE = 'carto-demo-data.demo_tables.retail_stores';

interface ChartValues {
  api?: { config?: { servedTables?: { id: string }[] } };
}

/**
 * The GeoJSON table the smoke reads, from the texts of values-<env>.yaml and values.yaml: the sample table where the
 * environment serves it, none where it does not.
 */
export function smokeTableOf(environmentValues: string, defaultValues: string): string {
  const read = (text: string) => (load(text) ?? {}) as ChartValues;
  const served =
    read(environmentValues).api?.config?.servedTables ?? read(defaultValues).api?.config?.servedTables ?? [];
  return served.some((table) => table.id === SAMPLE_TABLE) ? SAMPLE_TABLE : '';
}
