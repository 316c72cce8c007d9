/** A ConfigMap of Grafana dashboards, picked up by the Grafana sidecar that watches for its label. */
export interface DashboardsConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  data: Record<string, string>;
}

/**
 * Packs dashboard files (name → JSON text) into one ConfigMap. The `grafana_dashboard` label is what
 * the kube-prometheus-stack Grafana sidecar looks for; the folder annotation files them under Hookline.
 */
export function dashboardsConfigMap(
  name: string,
  dashboards: Readonly<Record<string, string>>,
): DashboardsConfigMap {
  const data: Record<string, string> = {};
  for (const file of Object.keys(dashboards).sort()) {
    // Parsing proves each file is JSON before it ships; the text itself is kept byte for byte.
    JSON.parse(dashboards[file]);
    data[file] = dashboards[file];
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      labels: { grafana_dashboard: '1', 'app.kubernetes.io/name': 'hookline-dashboards' },
      annotations: { grafana_folder: 'Hookline' },
    },
    data,
  };
}
