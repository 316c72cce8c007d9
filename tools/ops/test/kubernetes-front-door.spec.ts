import { join } from 'node:path';
import { type KubernetesObject, validateObjects } from './support/kubernetes-schemas';
import { kubernetesObjects } from './support/manifests';
import { kustomizeBuild } from './support/tools';

import { only, type Workload } from './support/kubernetes-objects';

interface HttpRouteMatch {
  path?: { type: 'Exact' | 'PathPrefix'; value: string };
  method?: string;
}
interface HttpRoute extends KubernetesObject {
  spec: {
    parentRefs: Array<{ name: string; sectionName?: string }>;
    hostnames: string[];
    rules: Array<{ matches: HttpRouteMatch[]; backendRefs: Array<{ name: string; port: number }> }>;
  };
}
interface Gateway extends KubernetesObject {
  spec: {
    listeners: Array<{
      name: string;
      protocol: string;
      port: number;
      hostname?: string;
      tls?: { mode?: string; certificateRefs?: Array<{ kind?: string; name: string }> };
    }>;
  };
}
interface Ingress extends KubernetesObject {
  spec: {
    tls: Array<{ hosts: string[]; secretName: string }>;
    rules: Array<{
      host: string;
      http: {
        paths: Array<{
          path: string;
          pathType: 'Exact' | 'Prefix';
          backend: { service: { name: string; port: { name?: string; number?: number } } };
        }>;
      };
    }>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the local tooling is plain CommonJS
const frontDoor = require(join(__dirname, '..', '..', 'infra', 'front-door.cjs')) as {
  route(method: string, url: string): string | undefined;
};

/** Whether `prefix` matches `path` element by element, as both APIs define prefix matching. */
function underPrefix(prefix: string, path: string): boolean {
  const trimmed = prefix.replace(/\/$/, '');
  return trimmed === '' || path === trimmed || path.startsWith(`${trimmed}/`);
}

/** The Service an HTTPRoute sends a request to: an exact path beats a prefix, a longer prefix a shorter one, a method match none. */
function httpRouteBackend(route: HttpRoute, method: string, path: string): string | undefined {
  const candidates = route.spec.rules.flatMap((rule) =>
    rule.matches
      .filter((match) => {
        const { type = 'PathPrefix', value = '/' } = match.path ?? {};
        const pathMatches = type === 'Exact' ? path === value : underPrefix(value, path);
        return pathMatches && (match.method === undefined || match.method === method);
      })
      .map((match) => ({
        backend: rule.backendRefs[0].name,
        rank: [match.path?.type === 'Exact' ? 1 : 0, match.path?.value.length ?? 0, match.method ? 1 : 0],
      })),
  );
  candidates.sort((a, b) => b.rank[0] - a.rank[0] || b.rank[1] - a.rank[1] || b.rank[2] - a.rank[2]);
  return candidates[0]?.backend;
}

/** The Service an Ingress sends a request to: an exact path first, then the longest prefix. */
function ingressBackend(ingress: Ingress, path: string): string | undefined {
  const paths = ingress.spec.rules.flatMap((rule) => rule.http.paths);
  const exact = paths.find((p) => p.pathType === 'Exact' && p.path === path);
  if (exact) return exact.backend.service.name;
  const prefixes = paths
    .filter((p) => p.pathType === 'Prefix' && underPrefix(p.path, path))
    .sort((a, b) => b.path.length - a.path.length);
  return prefixes[0]?.backend.service.name;
}

const REQUESTS: Array<[string, string]> = [
  ['POST', '/v1/events'],
  ['GET', '/v1/events'],
  ['GET', '/v1/events/evt_1'],
  ['POST', '/v1/webhooks'],
  ['GET', '/v1/deliveries/dlv_1'],
  ['POST', '/v1/admin/tenants'],
  ['GET', '/docs'],
  ['GET', '/portal/'],
  ['GET', '/portal/assets/portal.js'],
  ['POST', '/v1/events/evt_1/expunge'],
  ['GET', '/metrics'],
  ['GET', '/healthz'],
  ['GET', '/v1x'],
];
const serviceOf = (name: string | undefined) => name?.replace(/^hookline-/, '');

describe('one front door', () => {
  const gateway = kubernetesObjects(kustomizeBuild('k8s/examples/front-door-gateway'), 'front-door-gateway');
  const ingress = kubernetesObjects(kustomizeBuild('k8s/examples/front-door-ingress'), 'front-door-ingress');

  it.each([
    ['gateway-api', gateway],
    ['ingress', ingress],
  ])('%s: the production overlay with it renders, and every object validates', async (_, objects) => {
    expect(await validateObjects(objects)).toEqual([]);
    expect(new Set(objects.map((o) => o.metadata?.namespace))).toEqual(new Set(['hookline']));
  });

  it('serves one host over TLS through the Gateway API, routing as `npm start` does', () => {
    const route = only<HttpRoute>(gateway, 'HTTPRoute', 'hookline');
    const [parent] = route.spec.parentRefs;
    const listener = only<Gateway>(gateway, 'Gateway', parent.name).spec.listeners.find(
      (candidate) => candidate.name === parent.sectionName,
    );
    expect(listener).toMatchObject({
      protocol: 'HTTPS',
      port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: expect.any(String) }] },
    });
    expect(route.spec.hostnames).toEqual([listener?.hostname]);

    const routed = REQUESTS.map(([method, path]) => [
      method,
      path,
      serviceOf(httpRouteBackend(route, method, path)),
    ]);
    const local = REQUESTS.map(([method, path]) => [method, path, frontDoor.route(method, path)]);
    expect(routed).toEqual(local);
    expect(routed.filter(([, , service]) => service === 'ingest')).toEqual([
      ['POST', '/v1/events', 'ingest'],
    ]);

    // Every backend is a Service of the overlay, on the port it serves.
    for (const rule of route.spec.rules) {
      for (const ref of rule.backendRefs) {
        const service = only<KubernetesObject & { spec: { ports: Array<{ port: number }> } }>(
          gateway,
          'Service',
          ref.name,
        );
        expect(service.spec.ports.map((port) => port.port)).toContain(ref.port);
      }
    }
  });

  it('serves the same host over TLS through an Ingress, ingest forwarding the event log it cannot tell from intake', () => {
    const front = only<Ingress>(ingress, 'Ingress', 'hookline');
    expect(front.spec.tls).toEqual([
      { hosts: front.spec.rules.map((rule) => rule.host), secretName: expect.any(String) },
    ]);
    const routed = REQUESTS.map(([method, path]) => [method, path, serviceOf(ingressBackend(front, path))]);
    const local = REQUESTS.map(([method, path]) => [method, path, frontDoor.route(method, path)]);
    // Without method matching, `GET /v1/events` goes where intake goes; everything else agrees.
    const differences = routed.filter((entry, i) => entry[2] !== local[i][2]);
    expect(differences).toEqual([['GET', '/v1/events', 'ingest']]);
    // ...which ingest forwards to the subscription Service, on the port it serves.
    const ingest = only<Workload>(ingress, 'Deployment', 'hookline-ingest');
    const upstream = ingest.spec.template.spec.containers[0].env?.find(
      (variable) => variable.name === 'INGEST_EVENT_LOG_UPSTREAM',
    )?.value;
    const target = new URL(upstream ?? 'http://unset');
    const subscription = only<KubernetesObject & { spec: { ports: Array<{ port: number }> } }>(
      ingress,
      'Service',
      target.hostname,
    );
    expect(subscription.spec.ports.map((port) => String(port.port))).toContain(target.port);
    for (const path of front.spec.rules.flatMap((rule) => rule.http.paths)) {
      const service = only<KubernetesObject & { spec: { ports: Array<{ name: string }> } }>(
        ingress,
        'Service',
        path.backend.service.name,
      );
      expect(service.spec.ports.map((port) => port.name)).toContain(path.backend.service.port.name);
    }
  });
});
