// Reads the rule files and the promtool test files (plain Prometheus YAML). The rule files live in the chart
// (charts/maps-api/files/monitoring/), which deploys them as GKE Managed Prometheus Rules/GlobalRules: one copy,
// tested here, deployed there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const MONITORING_DIR = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = join(MONITORING_DIR, '..');
export const RULES_DIR = join(REPO_ROOT, 'charts', 'maps-api', 'files', 'monitoring');
export const TESTS_DIR = join(MONITORING_DIR, 'tests');

export interface Rule {
  file: string;
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Omit<Rule, 'file'>[];
}

interface RuleFile {
  groups: RuleGroup[];
}

export interface AlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}

export interface TestFile {
  rule_files: string[];
  evaluation_interval?: string;
  tests: { name: string; alert_rule_test?: AlertCase[] }[];
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();

export const ruleFiles = () => yamlFiles(RULES_DIR).map((name) => join(RULES_DIR, name));
export const testFiles = () => yamlFiles(TESTS_DIR).map((name) => join(TESTS_DIR, name));

export const ruleGroups = (file: string) => (parse(readFileSync(file, 'utf8')) as RuleFile).groups;
export const readTestFile = (file: string) => parse(readFileSync(file, 'utf8')) as TestFile;

export function rules(): Rule[] {
  return ruleFiles().flatMap((file) =>
    ruleGroups(file).flatMap((group) => group.rules.map((rule) => ({ ...rule, file }))),
  );
}

export const alerts = () => rules().filter((rule) => rule.alert !== undefined);

export function alertCases(): AlertCase[] {
  return testFiles().flatMap((file) =>
    readTestFile(file).tests.flatMap((test) => test.alert_rule_test ?? []),
  );
}

/** promtool durations as used in the test files (e.g. 9d12h, 90m) in seconds. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (parts.map((p) => p[0]).join('') !== text) throw new Error(`unsupported duration ${text}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit!]!, 0);
}
