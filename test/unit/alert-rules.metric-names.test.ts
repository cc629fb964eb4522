/**
 * The alert rules and the dashboard against the code: every expression names a metric order-tracker
 * exports (workers/metric-catalogue.ts) or one the rules record; the dashboard shows every metric an
 * alert watches; and each alert has a promtool case where it fires and one where it does not
 * (promtool itself runs them: test/integration/alert-rules.promtool.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isExportedMetric } from '../../workers/metric-catalogue';

const DEPLOY = join(__dirname, '..', '..', 'deploy');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

const rules = (parse(readFileSync(join(DEPLOY, 'prometheus', 'order-tracker-rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
const recorded = new Set(rules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record])));
const alerts = rules.filter((rule) => rule.alert !== undefined);
const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'order-tracker-dashboard.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
const dashboardExpressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
const promtoolTests = (parse(readFileSync(join(DEPLOY, 'prometheus', 'order-tracker-rules.test.yml'), 'utf8')) as {
  tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}).tests.flatMap((test) => test.alert_rule_test);

/** PromQL's operators and modifiers: identifiers that are not metric names. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** The metric names an expression reads: identifiers that are not functions, keywords, labels or strings. */
function metricNames(expr: string): string[] {
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names: string[] = [];
  for (const match of cleaned.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const after = cleaned.slice((match.index ?? 0) + match[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(match[0])) continue;
    names.push(match[0]);
  }
  return names;
}

test('the name reader finds metrics and leaves functions, labels, strings and keywords out', () => {
  expect(
    metricNames('histogram_quantile(0.95, sum by (provider, le) (rate(a_bucket{x="y z"}[5m]))) > on (provider) group_left b:c unless max(d) > 0'),
  ).toEqual(['a_bucket', 'b:c', 'd']);
});

test('there are alerts, each with an expression', () => {
  expect(alerts.length).toBeGreaterThanOrEqual(9);
});

test.each(alerts.map((rule) => [rule.alert, rule.expr]))('%s names only metrics the code exports or the rules record', (_name, expr) => {
  const names = metricNames(expr as string);
  expect(names.length).toBeGreaterThan(0);
  expect(names.filter((name) => !isExportedMetric(name) && !recorded.has(name))).toEqual([]);
});

test.each(dashboardExpressions.map(({ panel, expr }) => [panel, expr]))('dashboard panel "%s" names only metrics the code exports or the rules record', (_panel, expr) => {
  const names = metricNames(expr as string);
  expect(names.length).toBeGreaterThan(0);
  expect(names.filter((name) => !isExportedMetric(name) && !recorded.has(name))).toEqual([]);
});

test('the dashboard shows every metric an alert watches', () => {
  const shown = new Set(dashboardExpressions.flatMap(({ expr }) => metricNames(expr)));
  const watched = new Set(alerts.flatMap((alert) => metricNames(alert.expr)));
  expect([...watched].filter((name) => !shown.has(name))).toEqual([]);
});

test.each(alerts.map((alert) => [alert.alert]))('%s has a promtool case where it fires and one where it does not', (name) => {
  const cases = promtoolTests.filter((test) => test.alertname === name);
  expect(cases.some((test) => test.exp_alerts.length > 0)).toBe(true);
  expect(cases.some((test) => test.exp_alerts.length === 0)).toBe(true);
});
