import { ConstantVariable, SceneAppPage, SceneAppPageLike } from '@grafana/scenes';
import { DataSourceRef, VariableHide } from '@grafana/schema';
import { prefixRoute, ROUTES } from '../../constants';
import { rows, scene, table, timeseries, TIME } from '../panels';
import { namespaceVariable } from '../Workloads/workloadsPage';

/** Containers: which containers consume most, are throttled, OOM-killed or near their memory limit? */
export function containersPage(ds: DataSourceRef): SceneAppPage {
  return new SceneAppPage({
    title: 'Containers',
    subTitle: 'Top consumers, CPU throttling, OOM kills and working set against the memory limit.',
    url: prefixRoute(ROUTES.Containers),
    routePath: `${ROUTES.Containers}/*`,
    getScene: () => containersScene(ds),
    drilldowns: [
      {
        routePath: ':namespace/:pod/:container/*',
        getPage: (match, parent) =>
          containerPage(
            ds,
            {
              namespace: decodeURIComponent(match.params.namespace),
              pod: decodeURIComponent(match.params.pod),
              container: decodeURIComponent(match.params.container),
            },
            parent
          ),
      },
    ],
  });
}

const containerLink = {
  field: 'container',
  title: 'Open container',
  url: `${prefixRoute(ROUTES.Containers)}/\${__data.fields.namespace}/\${__data.fields.pod}/\${__value.raw}?${TIME}`,
};
const KEYS = ['namespace', 'pod', 'container'];

export function containersScene(ds: DataSourceRef) {
  return scene(
    rows(
      {
        height: 260,
        panels: [
          timeseries({
            ds,
            title: 'Top 10 by CPU',
            description: 'Containers using the most CPU, in cores.',
            unit: 'none',
            queries: [{ name: 'containers.top_cpu', legend: '{{namespace}}/{{pod}}/{{container}}' }],
          }),
          timeseries({
            ds,
            title: 'Top 10 by memory',
            description: 'Containers with the largest working set (usage minus inactive file cache).',
            unit: 'bytes',
            queries: [{ name: 'containers.top_memory', legend: '{{namespace}}/{{pod}}/{{container}}' }],
          }),
          timeseries({
            ds,
            title: 'Top 10 by CPU throttling',
            description: 'Share of CFS periods in which the container was throttled (containers with a CPU limit).',
            unit: 'percentunit',
            queries: [{ name: 'containers.throttled', legend: '{{namespace}}/{{pod}}/{{container}}' }],
          }),
        ],
      },
      {
        height: 280,
        panels: [
          table({
            ds,
            title: 'Working set against memory limit',
            description: 'The ten containers closest to their memory limit; at 100% the kernel OOM-kills them.',
            labels: KEYS,
            columns: [{ name: 'containers.memory_vs_limit', title: 'Of limit', unit: 'percentunit' }],
            links: [containerLink],
            noValue: 'No container with a memory limit',
            sortBy: 'Of limit',
          }),
          table({
            ds,
            title: 'CPU against request',
            description:
              'The ten containers using the most CPU relative to their request (5m); above 100% they borrow idle CPU.',
            labels: KEYS,
            columns: [{ name: 'containers.cpu_vs_request', title: 'Of request', unit: 'percentunit' }],
            links: [containerLink],
            noValue: 'No container with a CPU request',
            sortBy: 'Of request',
          }),
        ],
      },
      {
        height: 260,
        panels: [
          table({
            ds,
            title: 'OOM kills',
            description:
              'OOM events counted by the cgroup in the time range, and containers whose last termination was OOMKilled.',
            labels: KEYS,
            columns: [
              { name: 'containers.oom_events', title: 'OOM events' },
              { name: 'containers.oom_killed', title: 'Last terminated: OOMKilled' },
            ],
            links: [containerLink],
            noValue: 'No OOM kill',
          }),
          timeseries({
            ds,
            title: 'Top 10 by memory stall',
            description: 'Share of time all tasks of the container were stalled on memory (PSI full, cgroup v2).',
            unit: 'percentunit',
            queries: [{ name: 'containers.memory_psi', legend: '{{namespace}}/{{pod}}/{{container}}' }],
          }),
        ],
      }
    ),
    [namespaceVariable(ds, true)]
  );
}

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

export function containerPage(ds: DataSourceRef, c: ContainerRef, parent: SceneAppPageLike) {
  const path = [c.namespace, c.pod, c.container].map(encodeURIComponent).join('/');
  return new SceneAppPage({
    title: `${c.namespace}/${c.pod}/${c.container}`,
    subTitle: 'One container: CPU and memory against request and limit, throttling, OOM kills, IO and pressure.',
    url: `${prefixRoute(ROUTES.Containers)}/${path}`,
    routePath: ':namespace/:pod/:container/*',
    getParentPage: () => parent,
    getScene: () => containerScene(ds, c),
  });
}

export function containerScene(ds: DataSourceRef, c: ContainerRef) {
  const constant = (name: keyof ContainerRef) =>
    new ConstantVariable({ name, value: c[name], hide: VariableHide.hideVariable });
  return scene(
    rows(
      {
        height: 260,
        panels: [
          timeseries({
            ds,
            title: 'CPU',
            description: 'CPU used against the request and limit, in cores.',
            unit: 'none',
            queries: [
              { name: 'container.cpu_usage', legend: 'used' },
              { name: 'container.cpu_request', legend: 'request' },
              { name: 'container.cpu_limit', legend: 'limit' },
            ],
          }),
          timeseries({
            ds,
            title: 'CPU throttling',
            description: 'Share of CFS periods in which the container was throttled.',
            unit: 'percentunit',
            queries: [{ name: 'container.throttled', legend: 'throttled' }],
          }),
          timeseries({
            ds,
            title: 'Memory',
            description: 'Working set (what the OOM killer weighs), RSS and page cache, against the request and limit.',
            unit: 'bytes',
            queries: [
              { name: 'container.memory_working_set', legend: 'working set' },
              { name: 'container.memory_rss', legend: 'rss' },
              { name: 'container.memory_cache', legend: 'cache' },
              { name: 'container.memory_request', legend: 'request' },
              { name: 'container.memory_limit', legend: 'limit' },
            ],
          }),
        ],
      },
      {
        height: 240,
        panels: [
          timeseries({
            ds,
            title: 'Restarts and OOM events',
            description: 'Restarts counted by Kubernetes and OOM events counted by the cgroup.',
            unit: 'none',
            queries: [
              { name: 'container.restarts', legend: 'restarts' },
              { name: 'container.oom_events', legend: 'OOM events' },
            ],
          }),
          timeseries({
            ds,
            title: 'Filesystem IO',
            description: 'Bytes read and written, summed over devices.',
            unit: 'Bps',
            queries: [
              { name: 'container.fs_read_bytes', legend: 'read' },
              { name: 'container.fs_write_bytes', legend: 'written' },
            ],
          }),
          timeseries({
            ds,
            title: 'Pressure (PSI)',
            description: 'Share of time the container waited for CPU, or stalled on memory or IO (cgroup v2).',
            unit: 'percentunit',
            queries: [
              { name: 'container.psi_cpu_waiting', legend: 'cpu waiting' },
              { name: 'container.psi_memory_stalled', legend: 'memory stalled' },
              { name: 'container.psi_io_stalled', legend: 'io stalled' },
            ],
          }),
        ],
      },
      {
        height: 160,
        panels: [
          table({
            ds,
            title: 'State',
            description: 'Why the container is waiting now, and why it last terminated.',
            labels: ['reason'],
            columns: [
              { name: 'container.waiting_reason', title: 'Waiting' },
              { name: 'container.last_terminated_reason', title: 'Last terminated' },
            ],
            noValue: 'Running, never terminated',
          }),
        ],
      }
    ),
    [constant('namespace'), constant('pod'), constant('container')]
  );
}
