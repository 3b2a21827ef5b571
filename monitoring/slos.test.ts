import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { alerts, MONITORING_DIR } from './rule-files.js';

interface Slo {
  name: string;
  sli: string;
  threshold: number | string;
  alerts: string[];
}

const slos = (parse(readFileSync(join(MONITORING_DIR, 'slos.yaml'), 'utf8')) as { slos: Slo[] }).slos;

describe('SLO definitions (monitoring/slos.yaml)', () => {
  it.each(slos.map((slo) => [slo.name, slo] as const))(
    '%s is implemented by alerts that use its threshold and its SLI',
    (_, slo) => {
      const byName = new Map(alerts().map((rule) => [rule.alert, rule]));
      const sliName = slo.sli.split(/[{<]/)[0]!;
      for (const name of slo.alerts) {
        const rule = byName.get(name);
        expect(rule, `${name} is not defined in charts/maps-api/files/monitoring/`).toBeDefined();
        // The threshold is what the SLI is compared with (optionally times a burn-rate factor).
        const threshold = String(slo.threshold).replace(/[.*+]/g, (c) => `\\${c}`);
        expect(rule!.expr).toMatch(new RegExp(`[<>]\\s*\\(?\\s*([0-9.]+\\s*\\*\\s*)?${threshold}(?![0-9.])`));
        expect(rule!.expr).toContain(sliName);
      }
    },
  );
});
