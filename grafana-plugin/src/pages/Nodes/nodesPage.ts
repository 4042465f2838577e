import { ConstantVariable, QueryVariable, SceneAppPage, SceneAppPageLike } from '@grafana/scenes';
import { DataSourceRef, VariableHide, VariableRefresh } from '@grafana/schema';
import { prefixRoute, ROUTES } from '../../constants';
import { variableQuery } from '../../queries';
import { rows, scene, table, timeseries, TIME } from '../panels';

/** Nodes: which node is busy or saturated? The fleet table opens a node's page. */
export function nodesPage(ds: DataSourceRef): SceneAppPage {
  return new SceneAppPage({
    title: 'Nodes',
    subTitle: 'Utilisation and saturation of every node; open a node for its CPU, memory, disk, network and pressure.',
    url: prefixRoute(ROUTES.Nodes),
    routePath: `${ROUTES.Nodes}/*`,
    getScene: () => nodesScene(ds),
    drilldowns: [
      {
        routePath: ':node/*',
        getPage: (match, parent) => nodePage(ds, decodeURIComponent(match.params.node), parent),
      },
    ],
  });
}

export function nodesScene(ds: DataSourceRef) {
  return scene(
    rows(
      {
        height: 360,
        panels: [
          table({
            ds,
            title: 'Fleet',
            description:
              'Per node: CPU busy (5m), load per CPU, memory used, PSI waiting shares, fullest filesystem, Kubernetes Ready. Click a node for its page.',
            labels: ['node'],
            columns: [
              { name: 'nodes.ready', title: 'Ready' },
              { name: 'nodes.cpu_utilisation', title: 'CPU', unit: 'percentunit' },
              { name: 'nodes.load_per_cpu', title: 'Load per CPU' },
              { name: 'nodes.memory_utilisation', title: 'Memory', unit: 'percentunit' },
              { name: 'nodes.cpu_psi', title: 'CPU waiting', unit: 'percentunit' },
              { name: 'nodes.memory_psi', title: 'Memory waiting', unit: 'percentunit' },
              { name: 'nodes.io_psi', title: 'IO waiting', unit: 'percentunit' },
              { name: 'nodes.fs_utilisation', title: 'Fullest filesystem', unit: 'percentunit' },
            ],
            links: [{ field: 'node', title: 'Open node', url: `${prefixRoute(ROUTES.Nodes)}/\${__value.raw}?${TIME}` }],
            noValue: 'No node reports node_uname_info: is the exporter scraped?',
            sortBy: 'CPU',
          }),
        ],
      },
      {
        height: 260,
        panels: [
          timeseries({
            ds,
            title: 'CPU busy, top 10 nodes',
            description: 'Share of CPU time not idle.',
            unit: 'percentunit',
            max: 1,
            queries: [{ name: 'nodes.cpu_utilisation_over_time', legend: '{{node}}' }],
          }),
          timeseries({
            ds,
            title: 'Memory used, top 10 nodes',
            description: '1 − MemAvailable / MemTotal.',
            unit: 'percentunit',
            max: 1,
            queries: [{ name: 'nodes.memory_utilisation_over_time', legend: '{{node}}' }],
          }),
          timeseries({
            ds,
            title: 'Memory pressure, top 10 nodes',
            description: 'Share of time some task waited for memory (PSI some).',
            unit: 'percentunit',
            queries: [{ name: 'nodes.memory_psi_over_time', legend: '{{node}}' }],
          }),
        ],
      }
    )
  );
}

/** One node: $node is its name; $instance the scrape target whose node_uname_info names it. */
export function nodePage(ds: DataSourceRef, node: string, parent: SceneAppPageLike) {
  const url = `${prefixRoute(ROUTES.Nodes)}/${encodeURIComponent(node)}`;
  return new SceneAppPage({
    title: node,
    subTitle: 'CPU, memory, disk, network and pressure of one node.',
    url,
    routePath: ':node/*',
    getParentPage: () => parent,
    getScene: () => nodeScene(ds, node),
  });
}

export function nodeScene(ds: DataSourceRef, node: string) {
  const vars = [
    new ConstantVariable({ name: 'node', value: node, hide: VariableHide.hideVariable }),
    new QueryVariable({
      name: 'instance',
      label: 'Instance',
      datasource: ds,
      query: variableQuery('instance'),
      refresh: VariableRefresh.onTimeRangeChanged,
      hide: VariableHide.hideLabel,
    }),
  ];
  return scene(
    rows(
      {
        height: 260,
        panels: [
          timeseries({
            ds,
            title: 'CPU',
            description:
              'Share of all CPUs by mode (idle left out), and the 1-minute load per CPU (above 1: runnable tasks queue).',
            unit: 'percentunit',
            queries: [
              { name: 'node.cpu_by_mode', legend: '{{mode}}' },
              { name: 'node.load_per_cpu', legend: 'load1 per CPU' },
            ],
          }),
          timeseries({
            ds,
            title: 'Memory',
            description: 'Used = MemTotal − MemAvailable; page cache and buffers are reclaimable.',
            unit: 'bytes',
            queries: [
              { name: 'node.memory_used', legend: 'used' },
              { name: 'node.memory_cached', legend: 'cache + buffers' },
              { name: 'node.memory_total', legend: 'total' },
            ],
          }),
          timeseries({
            ds,
            title: 'Pressure (PSI)',
            description: 'Share of time some task waited (or all tasks stalled) for CPU, memory or IO.',
            unit: 'percentunit',
            queries: [
              { name: 'node.psi_cpu_waiting', legend: 'cpu waiting' },
              { name: 'node.psi_memory_waiting', legend: 'memory waiting' },
              { name: 'node.psi_memory_stalled', legend: 'memory stalled' },
              { name: 'node.psi_io_waiting', legend: 'io waiting' },
              { name: 'node.psi_io_stalled', legend: 'io stalled' },
            ],
          }),
        ],
      },
      {
        height: 260,
        panels: [
          timeseries({
            ds,
            title: 'Disk throughput',
            description: 'Bytes read and written per device.',
            unit: 'Bps',
            queries: [
              { name: 'node.disk_read_bytes', legend: '{{device}} read' },
              { name: 'node.disk_written_bytes', legend: '{{device}} written' },
            ],
          }),
          timeseries({
            ds,
            title: 'Disk busy',
            description: 'Share of time each device had IO in flight (saturation at 100% for single-queue devices).',
            unit: 'percentunit',
            queries: [{ name: 'node.disk_busy', legend: '{{device}}' }],
          }),
          timeseries({
            ds,
            title: 'Network',
            description: 'Bytes received and sent per interface, and errors plus drops of all interfaces.',
            unit: 'Bps',
            queries: [
              { name: 'node.network_receive_bytes', legend: '{{device}} in' },
              { name: 'node.network_transmit_bytes', legend: '{{device}} out' },
              { name: 'node.network_errors', legend: 'errors + drops (packets/s)' },
            ],
          }),
        ],
      },
      {
        height: 280,
        panels: [
          table({
            ds,
            title: 'Filesystems',
            description:
              'Used share and free bytes per mount point, and hours until full when it will fill within a week.',
            labels: ['mountpoint'],
            columns: [
              { name: 'node.fs_used', title: 'Used', unit: 'percentunit' },
              { name: 'node.fs_avail_bytes', title: 'Free', unit: 'bytes' },
              { name: 'node.fs_hours_to_full', title: 'Full in', unit: 'h' },
            ],
            noValue: 'No filesystem reported for this node',
            sortBy: 'Used',
          }),
          table({
            ds,
            title: 'Top containers by CPU',
            description: 'The ten containers on this node using the most CPU. Click one for its page.',
            labels: ['namespace', 'pod', 'container'],
            columns: [{ name: 'node.top_containers_cpu', title: 'CPU (cores)' }],
            links: [
              {
                field: 'container',
                title: 'Open container',
                url: `${prefixRoute(ROUTES.Containers)}/\${__data.fields.namespace}/\${__data.fields.pod}/\${__value.raw}?${TIME}`,
              },
            ],
            noValue: 'No Kubernetes container on this node',
            sortBy: 'CPU (cores)',
          }),
        ],
      }
    ),
    vars
  );
}
