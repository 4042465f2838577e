import { ConstantVariable, QueryVariable, SceneAppPage, SceneAppPageLike } from '@grafana/scenes';
import { DataSourceRef, VariableHide, VariableRefresh } from '@grafana/schema';
import { prefixRoute, ROUTES } from '../../constants';
import { variableQuery } from '../../queries';
import { rows, scene, stat, table, timeseries, TIME } from '../panels';

/** Workloads: which workload of a namespace is unhealthy or short of resources? → its pods. */
export function workloadsPage(ds: DataSourceRef): SceneAppPage {
  return new SceneAppPage({
    title: 'Workloads',
    subTitle: 'Deployments, StatefulSets and DaemonSets of a namespace: replicas, restarts, usage against requests.',
    url: prefixRoute(ROUTES.Workloads),
    routePath: `${ROUTES.Workloads}/*`,
    getScene: () => workloadsScene(ds),
    drilldowns: [
      {
        routePath: ':namespace/:kind/:workload/*',
        getPage: (match, parent) =>
          workloadPage(
            ds,
            {
              namespace: decodeURIComponent(match.params.namespace),
              kind: decodeURIComponent(match.params.kind),
              workload: decodeURIComponent(match.params.workload),
            },
            parent
          ),
      },
    ],
  });
}

/** The namespace variable: label values of one small metric (one series per namespace and phase). */
export function namespaceVariable(ds: DataSourceRef, multi: boolean) {
  return new QueryVariable({
    name: 'namespace',
    label: 'Namespace',
    datasource: ds,
    query: variableQuery('namespace'),
    refresh: VariableRefresh.onTimeRangeChanged,
    isMulti: multi,
    includeAll: multi,
    defaultToAll: multi,
    allValue: multi ? '.*' : undefined,
  });
}

export function workloadsScene(ds: DataSourceRef) {
  return scene(
    rows(
      {
        height: 360,
        panels: [
          table({
            ds,
            title: 'Workloads',
            description:
              'Desired and available replicas, container restarts in the last hour, CPU and memory used against requests (5m). Click a workload for its pods.',
            labels: ['kind', 'workload'],
            columns: [
              { name: 'workloads.desired', title: 'Desired' },
              { name: 'workloads.available', title: 'Available' },
              { name: 'workloads.restarts', title: 'Restarts (1h)' },
              { name: 'workloads.cpu_usage', title: 'CPU used (cores)' },
              { name: 'workloads.cpu_requests', title: 'CPU requested (cores)' },
              { name: 'workloads.memory_usage', title: 'Memory used', unit: 'bytes' },
              { name: 'workloads.memory_requests', title: 'Memory requested', unit: 'bytes' },
            ],
            links: [
              {
                field: 'workload',
                title: 'Open workload',
                url: `${prefixRoute(ROUTES.Workloads)}/\${namespace}/\${__data.fields.kind}/\${__value.raw}?${TIME}`,
              },
            ],
            noValue: 'No Deployment, StatefulSet or DaemonSet in this namespace',
          }),
        ],
      },
      {
        height: 240,
        panels: [
          table({
            ds,
            title: 'Pods needing attention',
            description:
              'Pods of the namespace crash-looping, failing to start, Failed/Unknown, Pending for 5 minutes or OOM-killed in the last hour.',
            labels: ['pod', 'reason'],
            columns: [{ name: 'workloads.pod_problems', title: 'Problem' }],
            noValue: 'Every pod of the namespace is fine',
          }),
          table({
            ds,
            title: 'Volume claims not bound',
            description: 'PersistentVolumeClaims Pending or Lost, with the storage they request.',
            labels: ['persistentvolumeclaim', 'phase'],
            columns: [
              { name: 'workloads.pvc_not_bound', title: 'Not bound' },
              { name: 'workloads.pvc_requested_bytes', title: 'Requested', unit: 'bytes' },
            ],
            noValue: 'Every claim is bound',
          }),
        ],
      },
      {
        height: 260,
        panels: [
          timeseries({
            ds,
            title: 'CPU by workload',
            description: 'CPU used by the ten busiest workloads of the namespace.',
            unit: 'none',
            queries: [{ name: 'workloads.cpu_by_workload', legend: '{{kind}}/{{workload}}' }],
          }),
          timeseries({
            ds,
            title: 'Memory by workload',
            description: 'Working set of the ten largest workloads of the namespace.',
            unit: 'bytes',
            queries: [{ name: 'workloads.memory_by_workload', legend: '{{kind}}/{{workload}}' }],
          }),
        ],
      }
    ),
    [namespaceVariable(ds, false)]
  );
}

export interface WorkloadRef {
  namespace: string;
  kind: string;
  workload: string;
}

export function workloadPage(ds: DataSourceRef, w: WorkloadRef, parent: SceneAppPageLike) {
  const path = [w.namespace, w.kind, w.workload].map(encodeURIComponent).join('/');
  return new SceneAppPage({
    title: `${w.kind} ${w.namespace}/${w.workload}`,
    subTitle: 'The pods of one workload: phase, restarts, CPU and memory against requests and limits.',
    url: `${prefixRoute(ROUTES.Workloads)}/${path}`,
    routePath: ':namespace/:kind/:workload/*',
    getParentPage: () => parent,
    getScene: () => workloadScene(ds, w),
  });
}

export function workloadScene(ds: DataSourceRef, w: WorkloadRef) {
  const constant = (name: keyof WorkloadRef) =>
    new ConstantVariable({ name, value: w[name], hide: VariableHide.hideVariable });
  return scene(
    rows(
      {
        height: 140,
        panels: [
          stat({
            ds,
            title: 'Pods running',
            description: 'Pods of the workload in phase Running.',
            query: 'workload.pods_running',
          }),
          stat({
            ds,
            title: 'Pods',
            description: 'All pods the workload owns now.',
            query: 'workload.pods_total',
          }),
        ],
      },
      {
        height: 300,
        panels: [
          table({
            ds,
            title: 'Pods',
            description:
              'Per pod: phase, restarts in the time range, CPU (5m) and memory working set against requests and limits (sums over its containers).',
            labels: ['pod', 'phase'],
            columns: [
              { name: 'workload.pod_phase', title: 'In phase' },
              { name: 'workload.pod_restarts', title: 'Restarts' },
              { name: 'workload.pod_cpu_usage', title: 'CPU used' },
              { name: 'workload.pod_cpu_requests', title: 'CPU request' },
              { name: 'workload.pod_cpu_limits', title: 'CPU limit' },
              { name: 'workload.pod_memory_usage', title: 'Memory used', unit: 'bytes' },
              { name: 'workload.pod_memory_requests', title: 'Memory request', unit: 'bytes' },
              { name: 'workload.pod_memory_limits', title: 'Memory limit', unit: 'bytes' },
            ],
            links: [
              {
                field: 'pod',
                title: 'Containers of this pod',
                url: `${prefixRoute(ROUTES.Containers)}?var-namespace=\${namespace}&${TIME}`,
              },
            ],
            noValue: 'The workload has no pods',
          }),
        ],
      },
      {
        height: 240,
        panels: [
          timeseries({
            ds,
            title: 'CPU per pod',
            description: 'CPU used by each pod, in cores.',
            unit: 'none',
            queries: [{ name: 'workload.cpu_over_time', legend: '{{pod}}' }],
          }),
          timeseries({
            ds,
            title: 'Memory per pod',
            description: 'Working set of each pod.',
            unit: 'bytes',
            queries: [{ name: 'workload.memory_over_time', legend: '{{pod}}' }],
          }),
          timeseries({
            ds,
            title: 'Restarts per pod',
            description: 'Container restarts of each pod.',
            unit: 'none',
            queries: [{ name: 'workload.restarts_over_time', legend: '{{pod}}' }],
          }),
          timeseries({
            ds,
            title: 'CPU throttling per pod',
            description: 'Share of CFS periods in which the pod was throttled (only pods with a CPU limit).',
            unit: 'percentunit',
            queries: [{ name: 'workload.throttled_over_time', legend: '{{pod}}' }],
          }),
        ],
      }
    ),
    [constant('namespace'), constant('kind'), constant('workload')]
  );
}
