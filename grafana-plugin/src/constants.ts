import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Top-level pages; each is also a plugin.json include (the Grafana nav). */
export enum ROUTES {
  Overview = 'overview',
  Nodes = 'nodes',
  Workloads = 'workloads',
  Containers = 'containers',
}

/** Prefixes a route with the app's base URL: prefixRoute('nodes') → /a/<id>/nodes. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

/** The app's settings (plugin jsonData), written by the config page. */
export interface AppSettings {
  /** UID of the Prometheus data source that reads the NexClipper receiver. */
  datasourceUid?: string;
  /**
   * The receiver's base URL as the app's backend reaches it (health check, "needs attention" list
   * and its live stream), e.g. http://nexclipper-receiver:9911.
   */
  prometheusUrl?: string;
}
