/**
 * Renders the app as Grafana would, minus Grafana: the data source service returns a fake
 * Prometheus data source, `setRunRequest` records every query the scenes send and answers with
 * what the test asks for, and panel plugins are stand-ins that print their data (or their
 * no-value message, as Grafana's panels do).
 */
import React, { useEffect, useState } from 'react';
import { Observable, of, throwError } from 'rxjs';
import { render } from '@testing-library/react';
import { Route, Router, Routes } from 'react-router-dom';
import {
  AppRootProps,
  DataFrame,
  DataQueryRequest,
  FieldType,
  LoadingState,
  PanelData,
  PanelPlugin,
  PanelProps,
  PluginType,
  createDataFrame,
  getFieldDisplayName,
  standardFieldConfigEditorRegistry,
  standardTransformers,
  standardTransformersRegistry,
} from '@grafana/data';
import {
  BackendSrv,
  BackendSrvRequest,
  DataSourceSrv,
  LocationServiceProvider,
  locationService,
  setBackendSrv,
  setDataSourceSrv,
  setPluginImportUtils,
  setRunRequest,
} from '@grafana/runtime';
import { DataQuery } from '@grafana/schema';
import App from '../components/App/App';
import { ATTENTION_RESOURCE, AttentionItem } from '../components/Attention/attention';
import { AppSettings, PLUGIN_ID } from '../constants';

export const DS = { uid: 'prom-uid', type: 'prometheus' };

/** A query as the scenes send it to the data source. */
export interface SentQuery extends DataQuery {
  expr: string;
  instant?: boolean;
}

export type Responder = (q: SentQuery) => PanelData['series'] | Error;

/** Records of one test: panel queries and variable queries sent. */
export interface Recorder {
  queries: SentQuery[];
  variableQueries: string[];
  /** Answers each panel query; default: no series. */
  respond: Responder;
  /** Values every query variable gets. */
  variableValues: string[];
  /** What the backend's attention resource answers (Grafana Live is not installed: the list polls it). */
  attention: AttentionItem[] | Error;
}

export function newRecorder(): Recorder {
  return { queries: [], variableQueries: [], respond: () => [], variableValues: ['default'], attention: [] };
}

function fakeDataSource(rec: Recorder) {
  return {
    ...DS,
    name: 'Prometheus',
    meta: { id: 'prometheus', name: 'Prometheus', type: PluginType.datasource, info: {}, module: '', baseUrl: '' },
    getRef: () => DS,
    query: () => of({ data: [] }),
    metricFindQuery: async (query: string) => {
      rec.variableQueries.push(query);
      return rec.variableValues.map((text) => ({ text, value: text }));
    },
  };
}

function runRequest(rec: Recorder) {
  return (_ds: unknown, request: DataQueryRequest): Observable<PanelData> => {
    const targets = request.targets as SentQuery[];
    rec.queries.push(...targets);
    const series: DataFrame[] = [];
    const errors: Array<{ message: string; refId: string }> = [];
    for (const t of targets) {
      const r = rec.respond(t);
      if (r instanceof Error) {
        errors.push({ message: r.message, refId: t.refId });
      } else {
        series.push(...r.map((f) => ({ ...f, refId: t.refId })));
      }
    }
    return of({
      state: errors.length ? LoadingState.Error : LoadingState.Done,
      series,
      errors: errors.length ? errors : undefined,
      error: errors[0],
      timeRange: request.range,
      request,
    });
  };
}

/** A panel plugin that prints field names and values, or the no-value text when there is no data. */
function FakePanel({ data, fieldConfig, title }: PanelProps) {
  const frames = data.series.filter((f) => f.length > 0);
  if (frames.length === 0) {
    return <div>{fieldConfig.defaults.noValue ?? 'No data'}</div>;
  }
  return (
    <div aria-label={`data ${title}`}>
      {frames.map((frame, i) => (
        <table key={i}>
          <thead>
            <tr>
              {frame.fields.map((f) => (
                <th key={f.name}>{getFieldDisplayName(f, frame, data.series)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: frame.length }, (_, row) => (
              <tr key={row}>
                {frame.fields.map((f) => (
                  <td key={f.name}>{String(f.values[row])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function fakePanelPlugin(id: string) {
  const plugin = new PanelPlugin(FakePanel).useFieldConfig();
  plugin.meta = {
    id,
    name: id,
    type: PluginType.panel,
    sort: 1,
    module: '',
    baseUrl: '',
    info: {
      author: { name: 'test' },
      description: '',
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
    },
  };
  return plugin;
}

let current: Recorder = newRecorder();
let installed = false;

/**
 * Points Grafana's runtime services at `rec` (call in beforeEach). The services themselves are
 * installed once per test file: Grafana lets plugin import utils be set only once.
 */
export function installGrafanaFakes(rec: Recorder) {
  current = rec;
  if (installed) {
    return;
  }
  installed = true;
  const proxy: Recorder = {
    get queries() {
      return current.queries;
    },
    get variableQueries() {
      return current.variableQueries;
    },
    get variableValues() {
      return current.variableValues;
    },
    respond: (q) => current.respond(q),
    get attention() {
      return current.attention;
    },
  };
  setBackendSrv({
    fetch: (req: BackendSrvRequest) => {
      if (req.url !== ATTENTION_RESOURCE) {
        return throwError(() => new Error(`unexpected backend request ${req.url}`));
      }
      const a = proxy.attention;
      return a instanceof Error ? throwError(() => a) : of({ data: a });
    },
  } as unknown as BackendSrv);
  const ds = fakeDataSource(proxy);
  setDataSourceSrv({
    get: async () => ds,
    getInstanceSettings: () => ({ ...ds, jsonData: {}, access: 'proxy', readOnly: false }),
    getList: () => [],
    reload: () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv);
  setRunRequest(runRequest(proxy) as never);
  const plugins = new Map<string, PanelPlugin>();
  const plugin = (id: string) => {
    if (!plugins.has(id)) {
      plugins.set(id, fakePanelPlugin(id));
    }
    return plugins.get(id)!;
  };
  setPluginImportUtils({
    importPanelPlugin: async (id: string) => plugin(id),
    getPanelPluginFromCache: (id: string) => plugin(id),
  });
  // Grafana registers its standard field options (unit, noValue, links...) at start-up; a panel
  // keeps only the options its registry knows, so register the ones the pages set.
  standardFieldConfigEditorRegistry.setInit(() =>
    ['unit', 'min', 'max', 'decimals', 'displayName', 'noValue', 'color', 'thresholds', 'mappings', 'links'].map(
      (id) => ({
        id,
        path: id,
        name: id,
        editor: () => null,
        override: () => null,
        process: (value: unknown) => value,
        shouldApply: () => true,
      })
    )
  );
  // standardTransformers holds some transformers under two names (e.g. seriesToColumns/joinByField).
  const transformers = [...new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values()];
  standardTransformersRegistry.setInit(() =>
    transformers.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      transformation: t,
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
}

/** Stands in for Grafana's page chrome (jest.mock it over @grafana/runtime's PluginPage): prints the title. */
export function FakePluginPage({ children, pageNav }: { children?: React.ReactNode; pageNav?: { text: string } }) {
  return (
    <div>
      <h1>{pageNav?.text}</h1>
      {children}
    </div>
  );
}

function TestRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen(setLocation), [history]);
  return (
    <LocationServiceProvider service={locationService}>
      <Router navigator={history} location={location}>
        {children}
      </Router>
    </LocationServiceProvider>
  );
}

/** Renders the app at `path` (relative to the app's base URL) with the given app settings. */
export function renderApp(path: string, settings: AppSettings = { datasourceUid: DS.uid }) {
  locationService.push(`/a/${PLUGIN_ID}/${path}`);
  const props = {
    meta: { id: PLUGIN_ID, jsonData: settings },
    basename: `/a/${PLUGIN_ID}`,
  } as AppRootProps<AppSettings>;
  return render(
    <TestRouter>
      <Routes>
        <Route path={`/a/${PLUGIN_ID}/*`} element={<App {...props} />} />
      </Routes>
    </TestRouter>
  );
}

/** An instant-query table frame (Prometheus format=table): Time, the labels, then `Value #<refId>`. */
export function tableFrame(refId: string, rows: Array<Record<string, string | number>>, valueName = `Value #${refId}`) {
  const labels = rows.length ? Object.keys(rows[0]).filter((k) => k !== 'value') : [];
  return createDataFrame({
    refId,
    fields: [
      { name: 'Time', type: FieldType.time, values: rows.map(() => 1700000000000) },
      ...labels.map((l) => ({ name: l, type: FieldType.string, values: rows.map((r) => String(r[l])) })),
      { name: valueName, type: FieldType.number, values: rows.map((r) => Number(r.value)) },
    ],
  });
}
