// The Cloud Monitoring dashboard (dashboards/maps-api.json): its PromQL queries, for the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MONITORING_DIR } from './rule-files.js';

export const DASHBOARD_FILE = join(MONITORING_DIR, 'dashboards', 'maps-api.json');

export interface Tile {
  xPos?: number;
  yPos?: number;
  width: number;
  height: number;
  widget: {
    title: string;
    xyChart: { dataSets: { timeSeriesQuery: { prometheusQuery: string } }[] };
  };
}

export interface Dashboard {
  displayName: string;
  mosaicLayout: { columns: number; tiles: Tile[] };
}

export const dashboard = () => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

export const dashboardQueries = (board: Dashboard = dashboard()) =>
  board.mosaicLayout.tiles.flatMap((tile) =>
    tile.widget.xyChart.dataSets.map((set) => set.timeSeriesQuery.prometheusQuery),
  );

/** Metric and recording-rule names a PromQL expression reads (identifiers followed by a selector or a range). */
export function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const names = [...withoutStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]!);
  const bare = [...withoutStrings.matchAll(/\b([a-z_]+:[a-zA-Z0-9_:]+)\b/g)].map((m) => m[1]!);
  return [...new Set([...names, ...bare])];
}
