import { dashboardsConfigMap } from './grafana-dashboards.manifest';

describe('dashboardsConfigMap', () => {
  it('keeps each dashboard byte for byte, under the label the Grafana sidecar watches', () => {
    const text = '{\n  "uid": "a",\n  "title": "A"\n}\n';

    const configMap = dashboardsConfigMap('boards', { 'b.json': '{}', 'a.json': text });

    expect(configMap.data).toEqual({ 'a.json': text, 'b.json': '{}' });
    expect(Object.keys(configMap.data)).toEqual(['a.json', 'b.json']);
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
  });

  it('refuses a dashboard that is not JSON', () => {
    expect(() => dashboardsConfigMap('boards', { 'a.json': '{ nope' })).toThrow(SyntaxError);
  });
});
