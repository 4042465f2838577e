/**
 * Panel and layout constructors shared by the pages, so that every page reads as a list of
 * questions (one panel each) over named queries from queries.ts.
 */
import {
  EmbeddedScene,
  PanelBuilders,
  SceneDataTransformer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneObject,
  SceneQueryRunner,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
  SceneVariableSet,
  SceneVariable,
  VariableValueSelectors,
  VizPanel,
  SceneControlsSpacer,
} from '@grafana/scenes';
import { DataSourceRef, ThresholdsMode } from '@grafana/schema';
import { queries, QueryName } from '../queries';

/** A query of a panel: a name from queries.ts and how its series are labelled. */
export interface PanelQuery {
  name: QueryName;
  /** Legend of a time series (e.g. '{{pod}}'); table columns use `title` instead. */
  legend?: string;
}

/** A value column of a table: the query that fills it, its title and unit. */
export interface Column {
  name: QueryName;
  title: string;
  unit?: string;
}

/** A link on a table's label column: URL template with Grafana data-link variables. */
export interface ColumnLink {
  field: string;
  title: string;
  url: string;
}

/** The refId of a query: the part of its name after the page prefix (overview.node_io_psi → node_io_psi). */
export const refIdOf = (name: QueryName) => name.slice(name.indexOf('.') + 1);

/** Appended to every drill-down link so that the time range follows the user. */
export const TIME = '${__url_time_range}';

function runner(ds: DataSourceRef, qs: PanelQuery[], instant: boolean) {
  return new SceneQueryRunner({
    datasource: ds,
    maxDataPoints: 500,
    queries: qs.map((q) => ({
      refId: refIdOf(q.name),
      datasource: ds,
      expr: queries[q.name],
      legendFormat: q.legend,
      instant,
      range: !instant,
      format: instant ? 'table' : 'time_series',
    })),
  });
}

/** A time series panel. */
export function timeseries(opts: {
  ds: DataSourceRef;
  title: string;
  description: string;
  unit: string;
  queries: PanelQuery[];
  max?: number;
}): VizPanel {
  const b = PanelBuilders.timeseries()
    .setTitle(opts.title)
    .setDescription(opts.description)
    .setData(runner(opts.ds, opts.queries, false))
    .setUnit(opts.unit)
    .setMin(0)
    .setNoValue('No data in this time range')
    .setCustomFieldConfig('fillOpacity', 8)
    .setOption('legend', { showLegend: true, displayMode: 'list' as never, placement: 'bottom' as never, calcs: [] })
    .setOption('tooltip', { mode: 'multi' as never, sort: 'desc' as never });
  if (opts.max !== undefined) {
    b.setMax(opts.max);
  }
  return b.build();
}

/**
 * A single number. An `attention` stat counts things needing attention: green at zero, red above,
 * with a link to where they are listed; otherwise the number is neutral.
 */
export function stat(opts: {
  ds: DataSourceRef;
  title: string;
  description: string;
  query: QueryName;
  attention?: boolean;
  link?: { title: string; url: string };
}): VizPanel {
  const steps = opts.attention
    ? [
        { value: -Infinity, color: 'green' },
        { value: 1, color: 'red' },
      ]
    : [{ value: -Infinity, color: 'text' }];
  return PanelBuilders.stat()
    .setTitle(opts.title)
    .setDescription(opts.description)
    .setData(runner(opts.ds, [{ name: opts.query }], true))
    .setThresholds({ mode: ThresholdsMode.Absolute, steps })
    .setColor({ mode: 'thresholds' as never })
    .setNoValue('0')
    .setOption('graphMode', 'none' as never)
    .setOption('colorMode', (opts.attention ? 'background' : 'value') as never)
    .setLinks(opts.link ? [{ title: opts.link.title, url: opts.link.url }] : [])
    .build();
}

/**
 * A table of instant queries joined on their labels (Grafana's merge transformation): one row per
 * label set, one column per query. Attention tables show only the rows above a threshold, so an
 * empty table is the good state and says so (`noValue`).
 */
export function table(opts: {
  ds: DataSourceRef;
  title: string;
  description: string;
  columns: Column[];
  /** Label columns, in display order; every other label is hidden. */
  labels: string[];
  links?: ColumnLink[];
  noValue: string;
  sortBy?: string;
}): VizPanel {
  const rename: Record<string, string> = {};
  const index: Record<string, number> = {};
  opts.labels.forEach((l, i) => (index[l] = i));
  for (const [i, c] of opts.columns.entries()) {
    rename[`Value #${refIdOf(c.name)}`] = c.title;
    index[`Value #${refIdOf(c.name)}`] = opts.labels.length + i;
    if (opts.columns.length === 1) {
      rename.Value = c.title;
      index.Value = opts.labels.length;
    }
  }
  const data = new SceneDataTransformer({
    $data: runner(
      opts.ds,
      opts.columns.map((c) => ({ name: c.name })),
      true
    ),
    transformations: [
      { id: 'merge', options: {} },
      {
        id: 'organize',
        options: {
          // Keep only the asked-for labels and values: drops Time, instance, job, uid and the
          // other labels the series happen to carry.
          includeByName: Object.fromEntries(Object.keys(index).map((k) => [k, true])),
          indexByName: index,
          renameByName: rename,
        },
      },
    ],
  });
  return PanelBuilders.table()
    .setTitle(opts.title)
    .setDescription(opts.description)
    .setData(data)
    .setNoValue(opts.noValue)
    .setOption('sortBy', opts.sortBy ? [{ displayName: opts.sortBy, desc: true }] : [])
    .setOverrides((o) => {
      for (const c of opts.columns) {
        if (c.unit) {
          o.matchFieldsWithName(c.title).overrideUnit(c.unit);
        }
      }
      for (const l of opts.links ?? []) {
        o.matchFieldsWithName(l.field).overrideLinks([{ title: l.title, url: l.url }]);
      }
    })
    .build();
}

/** Lays out rows of panels; each row is as tall as `height` pixels. */
export function rows(...spec: Array<{ height: number; panels: VizPanel[] }>): SceneFlexLayout {
  return new SceneFlexLayout({
    direction: 'column',
    children: spec.map(
      (r) =>
        new SceneFlexLayout({
          direction: 'row',
          minHeight: r.height,
          children: r.panels.map((p) => new SceneFlexItem({ minHeight: r.height, minWidth: 260, body: p })),
        })
    ),
  });
}

/** A page body: time range (last hour), refresh and the page's variables. */
export function scene(body: SceneObject, variables: SceneVariable[] = []): EmbeddedScene {
  return new EmbeddedScene({
    $timeRange: new SceneTimeRange({ from: 'now-1h', to: 'now' }),
    $variables: new SceneVariableSet({ variables }),
    controls: [
      new VariableValueSelectors({}),
      new SceneControlsSpacer(),
      new SceneTimePicker({ isOnCanvas: true }),
      new SceneRefreshPicker({ intervals: ['30s', '1m', '5m'], isOnCanvas: true, refresh: '1m' }),
    ],
    body,
  });
}
