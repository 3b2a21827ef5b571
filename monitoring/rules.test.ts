import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promtool } from './promtool.js';
import {
  alertCases,
  alerts,
  durationSeconds,
  MONITORING_DIR,
  readTestFile,
  REPO_ROOT,
  ruleFiles,
  ruleGroups,
  RULES_DIR,
  testFiles,
} from './rule-files.js';

describe('alerting and recording rules', () => {
  it('every rule file passes promtool check rules', async () => {
    const files = ruleFiles().map((file) => relative(MONITORING_DIR, file));
    expect(files.length).toBeGreaterThan(0);
    const { code, output } = await promtool(['check', 'rules', ...files], MONITORING_DIR);
    expect(output).not.toMatch(/FAILED/);
    expect(code, output).toBe(0);
  });

  it('promtool unit tests prove every alert fires on synthetic series and resolves when they recover', async () => {
    const files = testFiles().map((file) => relative(MONITORING_DIR, file));
    const { code, output } = await promtool(['test', 'rules', ...files], MONITORING_DIR);
    expect(code, output).toBe(0);
    expect(output.match(/SUCCESS/g)?.length, output).toBe(files.length);
  });

  // promtool test rules evaluates every group at the test file's evaluation_interval and ignores the group's own
  // interval, which is what GKE Managed Prometheus runs (the Rules CRD requires it): pin the two together.
  it('every rule group runs in production at the interval its promtool unit test evaluated it at', () => {
    const tested = new Set<string>();
    for (const testFile of testFiles()) {
      const { rule_files, evaluation_interval } = readTestFile(testFile);
      for (const ruleFile of rule_files.map((f) => resolve(dirname(testFile), f))) {
        tested.add(ruleFile);
        for (const group of ruleGroups(ruleFile)) {
          const where = `${group.name} (${relative(REPO_ROOT, ruleFile)}) vs ${relative(REPO_ROOT, testFile)}`;
          expect(group.interval, where).toBeDefined();
          expect(group.interval, where).toBe(evaluation_interval);
        }
      }
    }
    expect([...tested].sort()).toEqual(ruleFiles());
  });

  it('the unit tests have, for each alert, a firing case followed by a later non-firing case', () => {
    const cases = alertCases();
    for (const { alert } of alerts()) {
      const own = cases.filter((c) => c.alertname === alert);
      const firing = own
        .filter((c) => (c.exp_alerts ?? []).length > 0)
        .map((c) => durationSeconds(c.eval_time));
      const quiet = own
        .filter((c) => (c.exp_alerts ?? []).length === 0)
        .map((c) => durationSeconds(c.eval_time));
      expect(firing.length, `${alert} has no case where it fires`).toBeGreaterThan(0);
      expect(
        quiet.some((t) => t > Math.min(...firing)),
        `${alert} has no case where it stops firing after it fired`,
      ).toBe(true);
    }
  });

  it('promtool test rules fails when an expectation is wrong (the harness can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'promtool-negative-'));
    try {
      const file = join(dir, 'wrong.test.yaml');
      await writeFile(
        file,
        [
          'rule_files:',
          `  - ${join(RULES_DIR, 'cache.yaml')}`,
          'tests:',
          '  - interval: 1m',
          '    input_series:',
          '      - series: varnish_up{namespace="maps-api"}',
          '        values: 0x20',
          '    alert_rule_test:',
          '      - eval_time: 15m',
          '        alertname: MapsVarnishDown',
          '        exp_alerts: []',
          '',
        ].join('\n'),
      );
      const { code, output } = await promtool(['test', 'rules', file], dir);
      expect(code).not.toBe(0);
      expect(output).toMatch(/MapsVarnishDown/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every alert has a severity, a summary, a description and a runbook that exists in docs/runbooks/', () => {
    const all = alerts();
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) {
      const where = `${rule.alert} (${relative(REPO_ROOT, rule.file)})`;
      expect(['critical', 'warning'], where).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, where).toBeTruthy();
      expect(rule.annotations?.description, where).toBeTruthy();
      const runbook = rule.annotations?.runbook_url ?? '';
      expect(runbook, where).toMatch(/^docs\/runbooks\/[a-z0-9-]+\.md$/);
      expect(existsSync(join(REPO_ROOT, runbook)), `${where}: ${runbook} does not exist`).toBe(true);
    }
  });

  it('alert names are unique across rule files', () => {
    const names = alerts().map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
  });
});
