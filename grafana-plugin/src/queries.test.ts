import fs from 'fs';
import path from 'path';
import { KUBE_METRICS, queries, variables } from './queries';
import { exportedQueries } from './queriesExport';

const root = path.resolve(__dirname, '..');

/** Metric names of docs/metrics.md, the exporter's catalogue (first column of its tables). */
function catalogue(): Set<string> {
  const md = fs.readFileSync(path.join(root, '..', 'docs', 'metrics.md'), 'utf8');
  return new Set([...md.matchAll(/^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \|/gm)].map((m) => m[1]));
}

const stripStrings = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');

/** Metric names in an expression: identifiers outside strings, label matchers and label lists. */
function metricNames(expr: string): string[] {
  const s = stripStrings(expr)
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()/g)]
    .map((m) => m[0])
    .filter((id) => /^(node|container|kube|nexclipper)_/.test(id));
}

const all = Object.entries(exportedQueries());

describe('queries', () => {
  it('queries.json is up to date (run `npm run export-queries`)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(root, 'queries.json'), 'utf8'));
    expect(committed).toEqual(exportedQueries());
  });

  it('use only metrics the exporter emits (docs/metrics.md) or KUBE_METRICS', () => {
    const known = new Set([...catalogue(), ...KUBE_METRICS]);
    expect(known.has('node_cpu_seconds_total')).toBe(true);
    expect(metricNames(queries['overview.node_cpu_psi'])).toEqual([
      'node_pressure_cpu_waiting_seconds_total',
      'node_uname_info',
    ]);
    expect(metricNames('sum by (container_id) (kube_pod_owner{container_id="x"})')).toEqual(['kube_pod_owner']);
    const unknown = all.flatMap(([name, expr]) =>
      metricNames(expr)
        .filter((m) => !known.has(m))
        .map((m) => `${name}: ${m}`)
    );
    expect(unknown).toEqual([]);
  });

  it('use every metric of KUBE_METRICS (the list is the kube collector contract)', () => {
    const used = new Set(all.flatMap(([, expr]) => metricNames(expr)));
    expect(KUBE_METRICS.filter((m) => !used.has(m))).toEqual([]);
  });

  it('put template variables only inside label matchers, Grafana durations only in ranges', () => {
    const allowedInStrings = /^\$(namespace|node|instance|kind|workload|pod|container|1)$/;
    for (const [name, expr] of all) {
      const outside = stripStrings(expr).replace(/\[\$__(rate_interval|range)\]/g, '[5m]');
      expect({ name, outside: outside.includes('$') }).toEqual({ name, outside: false });
      for (const s of expr.match(/"(?:[^"\\]|\\.)*"/g) ?? []) {
        for (const v of s.match(/\$[a-zA-Z_0-9]+/g) ?? []) {
          expect({ name, v, ok: allowedInStrings.test(v) }).toEqual({ name, v, ok: true });
        }
      }
    }
  });

  it('have balanced brackets and no empty selectors', () => {
    for (const [name, expr] of all) {
      const s = stripStrings(expr);
      for (const [open, close] of [
        ['(', ')'],
        ['{', '}'],
        ['[', ']'],
      ]) {
        expect({ name, open, n: s.split(open).length }).toEqual({ name, open, n: s.split(close).length });
      }
      expect({ name, empty: s.includes('{}') }).toEqual({ name, empty: false });
    }
  });

  it('read variables from one metric each, narrowed by matchers or small by nature', () => {
    expect(Object.keys(variables).sort()).toEqual(['instance', 'namespace']);
    for (const v of Object.values(variables)) {
      expect(v.selector).toMatch(/^[a-z_]+\{.+\}$/);
    }
  });

  it('every page query is named <page>.<what>', () => {
    for (const name of Object.keys(queries)) {
      expect(name).toMatch(/^(overview|nodes|node|workloads|workload|containers|container)\.[a-z0-9_]+$/);
    }
  });
});
