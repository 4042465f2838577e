import { SceneAppPage, SceneFlexItem, SceneFlexLayout, SceneReactObject } from '@grafana/scenes';
import { DataSourceRef } from '@grafana/schema';
import { AttentionList } from '../../components/Attention/AttentionList';
import { prefixRoute, ROUTES } from '../../constants';
import { rows, scene, stat, table, TIME } from '../panels';

/**
 * Overview answers one question: what needs attention now? On top, the backend's list of it
 * (updated live over Grafana Live, see components/Attention); below, the panels behind it. Every
 * panel lists only what is over a threshold, so an all-clear cluster shows four green zeros and
 * four empty tables; each row links to the drill-down that explains it.
 */
export function overviewPage(ds: DataSourceRef): SceneAppPage {
  return new SceneAppPage({
    title: 'Overview',
    subTitle: 'What needs attention in the cluster now. Empty tables mean nothing does.',
    url: prefixRoute(ROUTES.Overview),
    routePath: `${ROUTES.Overview}/*`,
    getScene: () => overviewScene(ds),
  });
}

const nodeLink = { field: 'node', title: 'Open node', url: `${prefixRoute(ROUTES.Nodes)}/\${__value.raw}?${TIME}` };

export function overviewScene(ds: DataSourceRef) {
  return scene(
    new SceneFlexLayout({
      direction: 'column',
      children: [
        new SceneFlexItem({ ySizing: 'content', body: new SceneReactObject({ component: AttentionList }) }),
        overviewPanels(ds),
      ],
    })
  );
}

function overviewPanels(ds: DataSourceRef) {
  return rows(
    {
      height: 140,
      panels: [
        stat({
          ds,
          attention: true,
          title: 'Nodes not ready',
          description: 'Kubernetes nodes whose Ready condition is not true (kube_node_status_condition).',
          query: 'overview.nodes_not_ready',
          link: { title: 'Nodes', url: `${prefixRoute(ROUTES.Nodes)}?${TIME}` },
        }),
        stat({
          ds,
          attention: true,
          title: 'Pods in trouble',
          description:
            'Pods crash-looping or failing to pull or create a container, Failed/Unknown, Pending for 5 minutes, or OOM-killed and restarted in the last hour.',
          query: 'overview.pods_in_trouble',
          link: { title: 'Workloads', url: `${prefixRoute(ROUTES.Workloads)}?${TIME}` },
        }),
        stat({
          ds,
          attention: true,
          title: 'Containers under pressure',
          description:
            'Containers throttled in more than 25% of CFS periods, or whose working set is above 90% of the memory limit.',
          query: 'overview.containers_under_pressure',
          link: { title: 'Containers', url: `${prefixRoute(ROUTES.Containers)}?${TIME}` },
        }),
        stat({
          ds,
          attention: true,
          title: 'Filesystems filling',
          description:
            'Writable filesystems with less than 10% free, or full within 24 hours at the rate of the last 6 hours.',
          query: 'overview.filesystems_filling',
        }),
      ],
    },
    {
      height: 280,
      panels: [
        table({
          ds,
          title: 'Nodes needing attention',
          description:
            'Nodes not ready, with a pressure condition set, or whose tasks wait for CPU (>20% of the time), memory (>10%) or IO (>20%), from PSI over 5 minutes.',
          labels: ['node'],
          columns: [
            { name: 'overview.node_not_ready', title: 'Not ready' },
            { name: 'overview.node_conditions', title: 'Pressure conditions' },
            { name: 'overview.node_cpu_psi', title: 'CPU waiting', unit: 'percentunit' },
            { name: 'overview.node_memory_psi', title: 'Memory waiting', unit: 'percentunit' },
            { name: 'overview.node_io_psi', title: 'IO waiting', unit: 'percentunit' },
          ],
          links: [nodeLink],
          noValue: 'All nodes ready and without pressure',
        }),
        table({
          ds,
          title: 'Pods needing attention',
          description: 'One row per pod and reason. The namespace opens its workloads.',
          labels: ['namespace', 'pod', 'reason'],
          columns: [{ name: 'overview.pod_problems', title: 'Problem' }],
          links: [
            {
              field: 'namespace',
              title: 'Open namespace workloads',
              url: `${prefixRoute(ROUTES.Workloads)}?var-namespace=\${__value.raw}&${TIME}`,
            },
          ],
          noValue: 'No pod is crash-looping, pending, failed or OOM-killed',
        }),
      ],
    },
    {
      height: 280,
      panels: [
        table({
          ds,
          title: 'Containers under pressure',
          description:
            'Containers throttled in more than 25% of CFS periods, working set above 90% of the limit, or stalled on memory more than 10% of the time (PSI, cgroup v2).',
          labels: ['namespace', 'pod', 'container'],
          columns: [
            { name: 'overview.container_throttled', title: 'CPU throttled', unit: 'percentunit' },
            { name: 'overview.container_memory_vs_limit', title: 'Memory of limit', unit: 'percentunit' },
            { name: 'overview.container_memory_psi', title: 'Memory stalled', unit: 'percentunit' },
          ],
          links: [
            {
              field: 'container',
              title: 'Open container',
              url: `${prefixRoute(ROUTES.Containers)}/\${__data.fields.namespace}/\${__data.fields.pod}/\${__value.raw}?${TIME}`,
            },
          ],
          noValue: 'No container is throttled or near its memory limit',
        }),
        table({
          ds,
          title: 'Filesystems filling',
          description:
            'Writable filesystems with less than 10% free, or full within 24 hours at the rate of the last 6 hours.',
          labels: ['node', 'mountpoint'],
          columns: [
            { name: 'overview.fs_free', title: 'Free', unit: 'percentunit' },
            { name: 'overview.fs_hours_to_full', title: 'Full in', unit: 'h' },
          ],
          links: [nodeLink],
          noValue: 'Every filesystem has room',
        }),
      ],
    }
  );
}
