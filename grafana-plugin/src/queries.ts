/**
 * Every PromQL expression the app's pages send, in one flat map (name → expression), so that a Go
 * test can parse each one with promql/parser (`npm run export-queries` writes them to queries.json)
 * and the e2e suite can run them against the real pipeline.
 *
 * Rules the tests in queries.test.ts enforce:
 * - only metrics from docs/metrics.md (exporter) or KUBE_METRICS (kube collector, kube-state-metrics
 *   names) are used;
 * - template variables appear only inside quoted label matchers ("$namespace"), except Grafana's
 *   `$__rate_interval` and `$__range`, which appear only as range durations: substitute them with a
 *   duration (e.g. 5m) before parsing;
 * - no regex or `topk` parameter is a variable, so every expression stays bounded by its selectors.
 *
 * Node identity: node_* series carry only `instance`; the Kubernetes node name comes from
 * node_uname_info's `nodename` (the exporter runs with the host's UTS namespace), copied into a
 * `node` label so that it joins with kube_node_* series.
 */

/** Kubernetes object metrics the pages read, by their kube-state-metrics names and labels. */
export const KUBE_METRICS = [
  'kube_namespace_status_phase', // namespace, phase
  'kube_node_status_condition', // node, condition, status
  'kube_pod_status_phase', // namespace, pod, uid, phase
  'kube_pod_owner', // namespace, pod, uid, owner_kind, owner_name, owner_is_controller
  'kube_replicaset_owner', // namespace, replicaset, owner_kind, owner_name, owner_is_controller
  'kube_pod_container_status_restarts_total', // namespace, pod, uid, container
  'kube_pod_container_status_waiting_reason', // namespace, pod, uid, container, reason
  'kube_pod_container_status_last_terminated_reason', // namespace, pod, uid, container, reason
  'kube_pod_container_resource_requests', // namespace, pod, uid, container, node, resource, unit
  'kube_pod_container_resource_limits', // namespace, pod, uid, container, node, resource, unit
  'kube_deployment_spec_replicas', // namespace, deployment
  'kube_deployment_status_replicas_available', // namespace, deployment
  'kube_statefulset_replicas', // namespace, statefulset
  'kube_statefulset_status_replicas_ready', // namespace, statefulset
  'kube_daemonset_status_desired_number_scheduled', // namespace, daemonset
  'kube_daemonset_status_number_available', // namespace, daemonset
  'kube_persistentvolumeclaim_status_phase', // namespace, persistentvolumeclaim, phase
  'kube_persistentvolumeclaim_resource_requests_storage_bytes', // namespace, persistentvolumeclaim
] as const;

// ---- fragments (not exported: only whole expressions are) ----

/** A selector: metric{matchers...}, empty matchers dropped. */
const m = (metric: string, ...matchers: string[]) => {
  const sel = matchers.filter(Boolean).join(', ');
  return sel ? `${metric}{${sel}}` : metric;
};

const rate = (metric: string, sel: string, range = '$__rate_interval') => `rate(${m(metric, sel)}[${range}])`;

/** Sets label `name` to the constant `value` on every series of `expr`. */
const withLabel = (expr: string, name: string, value: string) =>
  `label_replace(${expr}, "${name}", "${value}", "", "")`;

/** Copies label `from` into label `to`. */
const copyLabel = (expr: string, to: string, from: string) =>
  `label_replace(${expr}, "${to}", "$1", "${from}", "(.+)")`;

/** Adds a `node` label (the host's nodename) to a node_* expression keyed by `instance`. */
const byNode = (expr: string) =>
  copyLabel(
    `${expr} * on(instance) group_left(nodename) max by (instance, nodename) (node_uname_info)`,
    'node',
    'nodename'
  );

/** Containers that belong to a Kubernetes pod (the kube collector adds namespace/pod/container). */
const C = 'container!=""';

/** Pods with a problem now, one series per (namespace, pod, reason), narrowed by matcher `sel`. */
const podProblems = (sel: string) =>
  [
    `max by (namespace, pod, reason) (${m(
      'kube_pod_container_status_waiting_reason',
      sel,
      'reason=~"CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|CreateContainerError"'
    )} == 1)`,
    `max by (namespace, pod, reason) (${copyLabel(`${m('kube_pod_status_phase', sel, 'phase=~"Failed|Unknown"')} == 1`, 'reason', 'phase')})`,
    `max by (namespace, pod, reason) (${withLabel(
      `min_over_time(${m('kube_pod_status_phase', sel, 'phase="Pending"')}[5m]) == 1`,
      'reason',
      'Pending for 5m'
    )})`,
    `max by (namespace, pod, reason) (${withLabel(
      `(${m('kube_pod_container_status_last_terminated_reason', sel, 'reason="OOMKilled"')} == 1)` +
        ` and on(namespace, pod, container) (increase(${m('kube_pod_container_status_restarts_total', sel)}[1h]) > 0)`,
      'reason',
      'OOMKilled in the last hour'
    )})`,
  ].join(' or ');

const OWNER = 'owner_is_controller="true"';

/** Maps every pod of namespace $namespace to its controlling workload: labels namespace, pod, kind, workload. */
const podWorkload =
  `max by (namespace, pod, kind, workload) (` +
  copyLabel(
    copyLabel(
      m('kube_pod_owner', 'namespace="$namespace"', OWNER, 'owner_kind=~"StatefulSet|DaemonSet|Job"'),
      'workload',
      'owner_name'
    ),
    'kind',
    'owner_kind'
  ) +
  ` or ${m('kube_pod_owner', 'namespace="$namespace"', OWNER, 'owner_kind="ReplicaSet"')}` +
  ` * on(namespace, owner_name) group_left(kind, workload) max by (namespace, owner_name, kind, workload) (` +
  copyLabel(
    copyLabel(
      copyLabel(
        m('kube_replicaset_owner', 'namespace="$namespace"', 'owner_kind="Deployment"'),
        'workload',
        'owner_name'
      ),
      'kind',
      'owner_kind'
    ),
    'owner_name',
    'replicaset'
  ) +
  `))`;

/**
 * The pods of workload $kind/$workload in $namespace, one series per (namespace, pod), value 1.
 * A Deployment owns its pods through ReplicaSets; the other kinds own them directly. Only one of
 * the two arms can match for a given $kind.
 */
const workloadPods =
  `max by (namespace, pod) (` +
  m('kube_pod_owner', 'namespace="$namespace"', OWNER, 'owner_kind="$kind"', 'owner_name="$workload"') +
  ` or ${m('kube_pod_owner', 'namespace="$namespace"', OWNER, 'owner_kind="ReplicaSet"')}` +
  ` * on(namespace, owner_name) group_left() max by (namespace, owner_name) (` +
  copyLabel(
    m('kube_replicaset_owner', 'namespace="$namespace"', 'owner_kind="$kind"', 'owner_name="$workload"'),
    'owner_name',
    'replicaset'
  ) +
  `))`;

// ---- variables: the series whose label values fill each template variable ----

/** Query variables: a selector of one metric (cheap on big clusters) and the label to list. */
export const variables = {
  namespace: { selector: 'kube_namespace_status_phase{phase="Active"}', label: 'namespace' },
  instance: { selector: 'node_uname_info{nodename="$node"}', label: 'instance' },
} as const;

/** The Prometheus variable query for a variable, e.g. label_values(node_uname_info, nodename). */
export function variableQuery(name: keyof typeof variables): string {
  const v = variables[name];
  return `label_values(${v.selector}, ${v.label})`;
}

const NS = 'namespace="$namespace"';
const NS_MULTI = 'namespace=~"$namespace"';
const CTR = `namespace="$namespace", pod="$pod", container="$container"`;
const INST = 'instance="$instance"';
const psi = (res: 'cpu' | 'memory' | 'io', sel = '') => rate(`node_pressure_${res}_waiting_seconds_total`, sel, '5m');
const fsFree = 'node_filesystem_avail_bytes / node_filesystem_size_bytes';
const fsWritable = 'on(instance, device, mountpoint) node_filesystem_readonly == 0';
/** Hours until a filesystem is full at the rate of the last 6h; +Inf when it is not filling. */
const hoursToFull = (sel: string) =>
  `(${m('node_filesystem_avail_bytes', sel)} / clamp_min(-deriv(${m('node_filesystem_avail_bytes', sel)}[6h]), 0)) / 3600`;

const wlSum = (expr: string) => `sum by (pod) (${expr} * on(namespace, pod) group_left() ${workloadPods})`;
const nsByWorkload = (expr: string) =>
  `sum by (kind, workload) (${expr} * on(namespace, pod) group_left(kind, workload) ${podWorkload})`;
const topCtr = (expr: string) => `topk(10, ${expr})`;
const ctrSum = (expr: string) => `sum by (namespace, pod, container) (${expr})`;
const ctrMax = (expr: string) => `max by (namespace, pod, container) (${expr})`;
const requests = (resource: string, sel: string) =>
  m('kube_pod_container_resource_requests', sel, `resource="${resource}"`);
const limits = (resource: string, sel: string) =>
  m('kube_pod_container_resource_limits', sel, `resource="${resource}"`);

const nodeNotReady = 'max by (node) (kube_node_status_condition{condition="Ready", status!="true"} == 1)';
const nodeConditions =
  'count by (node) (kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure|NetworkUnavailable", status="true"} == 1)';
const throttled = (sel: string, range: string) =>
  `${ctrSum(rate('container_cpu_cfs_throttled_periods_total', sel, range))} / ${ctrSum(rate('container_cpu_cfs_periods_total', sel, range))}`;
const memVsLimit = (sel: string) =>
  ctrMax(`container_memory_working_set_bytes{${sel}} / container_spec_memory_limit_bytes{${sel}}`);
const fsLow = `max by (node, mountpoint) (${byNode(`((${fsFree} < 0.1) and ${fsWritable})`)})`;
const fsFilling = `max by (node, mountpoint) (${byNode(`((${hoursToFull('')} < 24) and ${fsWritable})`)})`;

export const queries = {
  // ---- Overview: what needs attention now ----
  'overview.nodes_not_ready': `count(${nodeNotReady}) or vector(0)`,
  'overview.pods_in_trouble': `count(max by (namespace, pod) (${podProblems('')})) or vector(0)`,
  'overview.containers_under_pressure': `count(${throttled(C, '5m')} > 0.25 or ${memVsLimit(C)} > 0.9) or vector(0)`,
  'overview.filesystems_filling': `count(${fsLow} or ${fsFilling}) or vector(0)`,
  'overview.node_not_ready': nodeNotReady,
  'overview.node_conditions': nodeConditions,
  'overview.node_cpu_psi': `max by (node) (${byNode(psi('cpu'))}) > 0.2`,
  'overview.node_memory_psi': `max by (node) (${byNode(psi('memory'))}) > 0.1`,
  'overview.node_io_psi': `max by (node) (${byNode(psi('io'))}) > 0.2`,
  'overview.pod_problems': podProblems(''),
  'overview.container_throttled': `${throttled(C, '5m')} > 0.25`,
  'overview.container_memory_vs_limit': `${memVsLimit(C)} > 0.9`,
  'overview.container_memory_psi': `${ctrMax(rate('container_pressure_memory_stalled_seconds_total', C, '5m'))} > 0.1`,
  'overview.fs_free': `max by (node, mountpoint) (${byNode(`((${fsFree}) and ${fsWritable})`)}) < 0.1`,
  'overview.fs_hours_to_full': `max by (node, mountpoint) (${byNode(`((${hoursToFull('')}) and ${fsWritable})`)}) < 24`,

  // ---- Nodes: fleet ----
  'nodes.ready': 'max by (node) (kube_node_status_condition{condition="Ready", status="true"})',
  'nodes.cpu_utilisation': `1 - avg by (node) (${byNode(rate('node_cpu_seconds_total', 'mode="idle"', '5m'))})`,
  'nodes.load_per_cpu': `max by (node) (${byNode('(node_load1 / on(instance) count by (instance) (node_cpu_seconds_total{mode="idle"}))')})`,
  'nodes.memory_utilisation': `max by (node) (${byNode('(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)')})`,
  'nodes.cpu_psi': `max by (node) (${byNode(psi('cpu'))})`,
  'nodes.memory_psi': `max by (node) (${byNode(psi('memory'))})`,
  'nodes.io_psi': `max by (node) (${byNode(psi('io'))})`,
  'nodes.fs_utilisation': `max by (node) (${byNode(`(1 - ${fsFree})`)})`,
  'nodes.cpu_utilisation_over_time': `topk(10, 1 - avg by (node) (${byNode(rate('node_cpu_seconds_total', 'mode="idle"'))}))`,
  'nodes.memory_utilisation_over_time': `topk(10, max by (node) (${byNode('(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)')}))`,
  'nodes.memory_psi_over_time': `topk(10, max by (node) (${byNode(rate('node_pressure_memory_waiting_seconds_total', ''))}))`,

  // ---- Node: one host ----
  'node.cpu_by_mode': `sum by (mode) (${rate('node_cpu_seconds_total', `${INST}, mode!="idle"`)}) / scalar(count(node_cpu_seconds_total{${INST}, mode="idle"}))`,
  'node.load_per_cpu': `node_load1{${INST}} / scalar(count(node_cpu_seconds_total{${INST}, mode="idle"}))`,
  'node.memory_used': `node_memory_MemTotal_bytes{${INST}} - node_memory_MemAvailable_bytes{${INST}}`,
  'node.memory_cached': `node_memory_Cached_bytes{${INST}} + node_memory_Buffers_bytes{${INST}}`,
  'node.memory_total': `node_memory_MemTotal_bytes{${INST}}`,
  'node.disk_read_bytes': `sum by (device) (${rate('node_disk_read_bytes_total', INST)})`,
  'node.disk_written_bytes': `sum by (device) (${rate('node_disk_written_bytes_total', INST)})`,
  'node.disk_busy': `sum by (device) (${rate('node_disk_io_time_seconds_total', INST)})`,
  'node.fs_used': `max by (mountpoint) (1 - node_filesystem_avail_bytes{${INST}} / node_filesystem_size_bytes{${INST}})`,
  'node.fs_avail_bytes': `max by (mountpoint) (node_filesystem_avail_bytes{${INST}})`,
  'node.fs_hours_to_full': `max by (mountpoint) (${hoursToFull(INST)}) < 168`,
  'node.network_receive_bytes': `sum by (device) (${rate('node_network_receive_bytes_total', INST)})`,
  'node.network_transmit_bytes': `sum by (device) (${rate('node_network_transmit_bytes_total', INST)})`,
  'node.network_errors': `sum(${rate('node_network_receive_errs_total', INST)} + ${rate('node_network_transmit_errs_total', INST)} + ${rate('node_network_receive_drop_total', INST)} + ${rate('node_network_transmit_drop_total', INST)})`,
  'node.psi_cpu_waiting': rate('node_pressure_cpu_waiting_seconds_total', INST),
  'node.psi_memory_waiting': rate('node_pressure_memory_waiting_seconds_total', INST),
  'node.psi_memory_stalled': rate('node_pressure_memory_stalled_seconds_total', INST),
  'node.psi_io_waiting': rate('node_pressure_io_waiting_seconds_total', INST),
  'node.psi_io_stalled': rate('node_pressure_io_stalled_seconds_total', INST),
  'node.top_containers_cpu': topCtr(ctrSum(rate('container_cpu_usage_seconds_total', `${INST}, ${C}`))),

  // ---- Workloads: one namespace ----
  'workloads.desired': `max by (kind, workload) (${[
    withLabel(copyLabel(`kube_deployment_spec_replicas{${NS}}`, 'workload', 'deployment'), 'kind', 'Deployment'),
    withLabel(copyLabel(`kube_statefulset_replicas{${NS}}`, 'workload', 'statefulset'), 'kind', 'StatefulSet'),
    withLabel(
      copyLabel(`kube_daemonset_status_desired_number_scheduled{${NS}}`, 'workload', 'daemonset'),
      'kind',
      'DaemonSet'
    ),
  ].join(' or ')})`,
  'workloads.available': `max by (kind, workload) (${[
    withLabel(
      copyLabel(`kube_deployment_status_replicas_available{${NS}}`, 'workload', 'deployment'),
      'kind',
      'Deployment'
    ),
    withLabel(
      copyLabel(`kube_statefulset_status_replicas_ready{${NS}}`, 'workload', 'statefulset'),
      'kind',
      'StatefulSet'
    ),
    withLabel(copyLabel(`kube_daemonset_status_number_available{${NS}}`, 'workload', 'daemonset'), 'kind', 'DaemonSet'),
  ].join(' or ')})`,
  'workloads.restarts': nsByWorkload(`increase(kube_pod_container_status_restarts_total{${NS}}[1h])`),
  'workloads.cpu_usage': nsByWorkload(rate('container_cpu_usage_seconds_total', `${NS}, ${C}`, '5m')),
  'workloads.cpu_requests': nsByWorkload(requests('cpu', NS)),
  'workloads.memory_usage': nsByWorkload(`container_memory_working_set_bytes{${NS}, ${C}}`),
  'workloads.memory_requests': nsByWorkload(requests('memory', NS)),
  'workloads.pod_problems': podProblems(NS),
  'workloads.pvc_not_bound': `max by (persistentvolumeclaim, phase) (kube_persistentvolumeclaim_status_phase{${NS}, phase!="Bound"} == 1)`,
  'workloads.pvc_requested_bytes': `max by (persistentvolumeclaim) (kube_persistentvolumeclaim_resource_requests_storage_bytes{${NS}}) and on(persistentvolumeclaim) (kube_persistentvolumeclaim_status_phase{${NS}, phase!="Bound"} == 1)`,
  'workloads.cpu_by_workload': `topk(10, ${nsByWorkload(rate('container_cpu_usage_seconds_total', `${NS}, ${C}`))})`,
  'workloads.memory_by_workload': `topk(10, ${nsByWorkload(`container_memory_working_set_bytes{${NS}, ${C}}`)})`,

  // ---- Workload: the pods of $kind/$workload in $namespace ----
  'workload.pods_running': `count(kube_pod_status_phase{${NS}, phase="Running"} == 1 and on(namespace, pod) ${workloadPods}) or vector(0)`,
  'workload.pods_total': `count(${workloadPods}) or vector(0)`,
  'workload.pod_phase': `max by (pod, phase) (kube_pod_status_phase{${NS}} == 1 and on(namespace, pod) ${workloadPods})`,
  'workload.pod_restarts': wlSum(`increase(kube_pod_container_status_restarts_total{${NS}}[$__range])`),
  'workload.pod_cpu_usage': wlSum(rate('container_cpu_usage_seconds_total', `${NS}, ${C}`, '5m')),
  'workload.pod_cpu_requests': wlSum(requests('cpu', NS)),
  'workload.pod_cpu_limits': wlSum(limits('cpu', NS)),
  'workload.pod_memory_usage': wlSum(`container_memory_working_set_bytes{${NS}, ${C}}`),
  'workload.pod_memory_requests': wlSum(requests('memory', NS)),
  'workload.pod_memory_limits': wlSum(limits('memory', NS)),
  'workload.cpu_over_time': wlSum(rate('container_cpu_usage_seconds_total', `${NS}, ${C}`)),
  'workload.memory_over_time': wlSum(`container_memory_working_set_bytes{${NS}, ${C}}`),
  'workload.restarts_over_time': wlSum(`increase(kube_pod_container_status_restarts_total{${NS}}[$__rate_interval])`),
  'workload.throttled_over_time': `${wlSum(rate('container_cpu_cfs_throttled_periods_total', `${NS}, ${C}`))} / ${wlSum(rate('container_cpu_cfs_periods_total', `${NS}, ${C}`))}`,

  // ---- Containers: top consumers in $namespace (multi-value) ----
  'containers.top_cpu': topCtr(ctrSum(rate('container_cpu_usage_seconds_total', `${NS_MULTI}, ${C}`))),
  'containers.top_memory': topCtr(ctrMax(`container_memory_working_set_bytes{${NS_MULTI}, ${C}}`)),
  'containers.cpu_vs_request': topCtr(
    `${ctrSum(rate('container_cpu_usage_seconds_total', `${NS_MULTI}, ${C}`, '5m'))} / ${ctrSum(requests('cpu', NS_MULTI))}`
  ),
  'containers.memory_vs_limit': topCtr(memVsLimit(`${NS_MULTI}, ${C}`)),
  'containers.throttled': topCtr(throttled(`${NS_MULTI}, ${C}`, '$__rate_interval')),
  'containers.oom_events': `${ctrSum(`increase(container_oom_events_total{${NS_MULTI}, ${C}}[$__range])`)} > 0`,
  'containers.oom_killed': `${ctrMax(`kube_pod_container_status_last_terminated_reason{${NS_MULTI}, reason="OOMKilled"}`)} == 1`,
  'containers.memory_psi': topCtr(ctrSum(rate('container_pressure_memory_stalled_seconds_total', `${NS_MULTI}, ${C}`))),

  // ---- Container: $namespace/$pod/$container ----
  'container.cpu_usage': `sum(${rate('container_cpu_usage_seconds_total', CTR)})`,
  'container.cpu_request': `max(${requests('cpu', CTR)})`,
  'container.cpu_limit': `max(${limits('cpu', CTR)})`,
  'container.throttled': `sum(${rate('container_cpu_cfs_throttled_periods_total', CTR)}) / sum(${rate('container_cpu_cfs_periods_total', CTR)})`,
  'container.memory_working_set': `max(container_memory_working_set_bytes{${CTR}})`,
  'container.memory_rss': `max(container_memory_rss{${CTR}})`,
  'container.memory_cache': `max(container_memory_cache{${CTR}})`,
  'container.memory_limit': `max(container_spec_memory_limit_bytes{${CTR}})`,
  'container.memory_request': `max(${requests('memory', CTR)})`,
  'container.restarts': `sum(increase(kube_pod_container_status_restarts_total{${CTR}}[$__rate_interval]))`,
  'container.oom_events': `sum(increase(container_oom_events_total{${CTR}}[$__rate_interval]))`,
  'container.fs_read_bytes': `sum(${rate('container_fs_reads_bytes_total', CTR)})`,
  'container.fs_write_bytes': `sum(${rate('container_fs_writes_bytes_total', CTR)})`,
  'container.psi_cpu_waiting': `sum(${rate('container_pressure_cpu_waiting_seconds_total', CTR)})`,
  'container.psi_memory_stalled': `sum(${rate('container_pressure_memory_stalled_seconds_total', CTR)})`,
  'container.psi_io_stalled': `sum(${rate('container_pressure_io_stalled_seconds_total', CTR)})`,
  'container.waiting_reason': `max by (reason) (kube_pod_container_status_waiting_reason{${CTR}}) == 1`,
  'container.last_terminated_reason': `max by (reason) (kube_pod_container_status_last_terminated_reason{${CTR}}) == 1`,
} as const;

export type QueryName = keyof typeof queries;
