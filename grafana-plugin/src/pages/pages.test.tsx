import { screen, waitFor, within } from '@testing-library/react';
import { selectors } from '@grafana/e2e-selectors';
import { EmbeddedScene, sceneGraph, VizPanel } from '@grafana/scenes';
import { queries, QueryName, variableQuery } from '../queries';
import { DS, installGrafanaFakes, newRecorder, Recorder, renderApp, tableFrame } from '../test/harness';
import { testIds } from '../components/testIds';
import { overviewScene } from './Overview/overviewPage';
import { nodeScene, nodesScene } from './Nodes/nodesPage';
import { workloadScene, workloadsScene } from './Workloads/workloadsPage';
import { containerScene, containersScene } from './Containers/containersPage';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  PluginPage: (props: object) => jest.requireActual('../test/harness').FakePluginPage(props),
}));

/** Every page: its URL, the title it shows, the query-name prefix it owns, its variable queries. */
const pages: Array<{ path: string; title: string; prefix: string; variables: string[]; scene: () => EmbeddedScene }> = [
  { path: 'overview', title: 'Overview', prefix: 'overview.', variables: [], scene: () => overviewScene(DS) },
  { path: 'nodes', title: 'Nodes', prefix: 'nodes.', variables: [], scene: () => nodesScene(DS) },
  {
    path: 'nodes/worker-1',
    title: 'worker-1',
    prefix: 'node.',
    variables: [variableQuery('instance')],
    scene: () => nodeScene(DS, 'worker-1'),
  },
  {
    path: 'workloads',
    title: 'Workloads',
    prefix: 'workloads.',
    variables: [variableQuery('namespace')],
    scene: () => workloadsScene(DS),
  },
  {
    path: 'workloads/shop/Deployment/api',
    title: 'Deployment shop/api',
    prefix: 'workload.',
    variables: [],
    scene: () => workloadScene(DS, { namespace: 'shop', kind: 'Deployment', workload: 'api' }),
  },
  {
    path: 'containers',
    title: 'Containers',
    prefix: 'containers.',
    variables: [variableQuery('namespace')],
    scene: () => containersScene(DS),
  },
  {
    path: 'containers/shop/api-7d9f-x2/server',
    title: 'shop/api-7d9f-x2/server',
    prefix: 'container.',
    variables: [],
    scene: () => containerScene(DS, { namespace: 'shop', pod: 'api-7d9f-x2', container: 'server' }),
  },
];

const namesWithPrefix = (prefix: string) => (Object.keys(queries) as QueryName[]).filter((n) => n.startsWith(prefix));
const panelsOf = (scene: EmbeddedScene) => sceneGraph.findAllObjects(scene, (o) => o instanceof VizPanel) as VizPanel[];

let rec: Recorder;

beforeEach(() => {
  rec = newRecorder();
  installGrafanaFakes(rec);
});

describe.each(pages)('page $path', (page) => {
  it('has at most 8 panels, each with a title and a description', () => {
    const panels = panelsOf(page.scene());
    expect(panels.length).toBeGreaterThan(0);
    expect(panels.length).toBeLessThanOrEqual(8);
    for (const p of panels) {
      expect(p.state.title).not.toBe('');
      expect(p.state.description).toBeTruthy();
    }
  });

  it('sends exactly its queries, to the configured data source', async () => {
    renderApp(page.path);
    expect(await screen.findByRole('heading', { level: 1, name: page.title })).toBeInTheDocument();
    const want = namesWithPrefix(page.prefix).map((n) => queries[n]);
    await waitFor(() => expect(new Set(rec.queries.map((q) => q.expr))).toEqual(new Set(want)));
    for (const q of rec.queries) {
      expect(q.datasource).toEqual(DS);
    }
    expect([...new Set(rec.variableQueries)]).toEqual(page.variables);
  });

  it('shows the empty state when no series come back', async () => {
    renderApp(page.path);
    const panels = panelsOf(page.scene());
    await waitFor(() => expect(rec.queries.length).toBeGreaterThan(0));
    // Every panel says what an empty answer means (for attention tables: that all is well).
    for (const p of panels) {
      const noValue = p.state.fieldConfig.defaults.noValue!;
      expect(noValue).toBeTruthy();
      expect((await screen.findAllByText(noValue)).length).toBeGreaterThan(0);
    }
    expect(screen.queryByTestId(selectors.components.Panels.Panel.status('error'))).not.toBeInTheDocument();
  });

  it('shows an error on every panel when the data source fails', async () => {
    rec.respond = () => new Error('receiver unreachable');
    renderApp(page.path);
    const n = panelsOf(page.scene()).length;
    await waitFor(() =>
      expect(screen.getAllByTestId(selectors.components.Panels.Panel.status('error'))).toHaveLength(n)
    );
  });
});

describe('overview', () => {
  it('joins the node queries into one row per node, with titled columns', async () => {
    rec.respond = (q) => {
      switch (q.refId) {
        case 'node_not_ready':
          return [tableFrame(q.refId, [{ node: 'worker-3', value: 1 }])];
        case 'node_memory_psi':
          return [
            tableFrame(q.refId, [
              { node: 'worker-3', value: 0.42 },
              { node: 'worker-7', value: 0.2 },
            ]),
          ];
        default:
          return [];
      }
    };
    renderApp('overview');
    const table = await screen.findByLabelText('data Nodes needing attention');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(['node', 'Not ready', 'Memory waiting']);
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent)
      );
    expect(rows).toEqual([
      ['worker-3', '1', '0.42'],
      ['worker-7', 'undefined', '0.2'],
    ]);
  });

  it("lists what needs attention from the backend's list, most severe first, linked", async () => {
    rec.attention = [
      {
        kind: 'node_not_ready',
        severity: 'critical',
        subject: 'worker-3',
        message: 'Node worker-3 is not Ready',
        link: '/a/nexclipper-observability-app/nodes/worker-3',
      },
    ];
    renderApp('overview');
    const item = await screen.findByTestId(testIds.attention.item);
    expect(within(item).getByRole('link', { name: 'Node worker-3 is not Ready' })).toHaveAttribute(
      'href',
      '/a/nexclipper-observability-app/nodes/worker-3'
    );
    expect(screen.getByTestId(testIds.attention.status)).toHaveTextContent('Refreshed every 30 s');
  });

  it('says when nothing needs attention', async () => {
    renderApp('overview');
    expect(await screen.findByText('Nothing needs attention now.')).toBeInTheDocument();
  });

  it("says why when the backend's list fails", async () => {
    rec.attention = Object.assign(new Error('502'), {
      data: { error: 'query overview.pod_problems at http://r:9911: connection refused' },
    });
    renderApp('overview');
    expect(
      await screen.findByText('query overview.pod_problems at http://r:9911: connection refused')
    ).toBeInTheDocument();
  });

  it('links nodes, namespaces and containers to their drill-downs', () => {
    const links = panelsOf(overviewScene(DS)).flatMap((p) =>
      p.state.fieldConfig.overrides.flatMap((o) =>
        o.properties.filter((pr) => pr.id === 'links').flatMap((pr) => pr.value)
      )
    );
    const urls = links.map((l: { url: string }) => l.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/a/nexclipper-observability-app/nodes/${__value.raw}?${__url_time_range}',
        '/a/nexclipper-observability-app/workloads?var-namespace=${__value.raw}&${__url_time_range}',
        '/a/nexclipper-observability-app/containers/${__data.fields.namespace}/${__data.fields.pod}/${__value.raw}?${__url_time_range}',
      ])
    );
  });
});

describe('app', () => {
  it('asks for a data source when none is configured, and sends no query', async () => {
    renderApp('overview', {});
    expect(await screen.findByTestId(testIds.app.noDatasource)).toHaveTextContent('Choose the Prometheus data source');
    expect(rec.queries).toHaveLength(0);
  });

  it('fills the node page instance variable from node_uname_info of that node', async () => {
    rec.variableValues = ['10.0.0.7:9910'];
    renderApp('nodes/worker-1');
    await waitFor(() => expect(rec.queries.length).toBeGreaterThan(0));
    expect(rec.variableQueries).toContain('label_values(node_uname_info{nodename="$node"}, instance)');
  });
});
