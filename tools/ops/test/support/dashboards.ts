import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/repo-root';
import { readWorkspaceFile } from './manifests';

/** A query of a dashboard, named by where it sits. */
export interface DashboardQuery {
  readonly where: string;
  readonly expr: string;
}

/** A panel as far as these tests look at it. */
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string; datasource?: { type: string; uid: string } }>;
  panels?: Panel[];
  gridPos: { h: number; w: number; x: number; y: number };
}

/** A dashboard file as far as these tests look at it. */
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: string | { query: string } }> };
}

/** The dashboard files, relative to the workspace root. */
export const DASHBOARD_FILES = readdirSync(join(REPO_ROOT, 'deploy/grafana/dashboards'))
  .filter((file) => file.endsWith('.json'))
  .map((file) => `deploy/grafana/dashboards/${file}`);

/** Reads a dashboard file. */
export function readDashboard(file: string): Dashboard {
  return JSON.parse(readWorkspaceFile(file)) as Dashboard;
}

/** Every panel, rows' children included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every PromQL query of every dashboard: panel targets and query variables. */
export function dashboardQueries(): DashboardQuery[] {
  return DASHBOARD_FILES.flatMap((file) => {
    const dashboard = readDashboard(file);
    const panels = allPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        where: `${file} "${panel.title}" ${target.refId}`,
        expr: target.expr,
      })),
    );
    const variables = dashboard.templating.list
      .filter((variable) => variable.type === 'query')
      .map((variable) => ({
        where: `${file} variable $${variable.name}`,
        expr: typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''),
      }));
    return [...panels, ...variables];
  });
}
