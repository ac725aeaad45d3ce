// The Helm chart, rendered with the values a user would set and every manifest validated against
// the Kubernetes API schemas (kubernetes-models): nothing here can run a cluster, but a manifest
// the API server would reject fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { renderTemplate, TemplateFail } from './gotemplate.js';

const chart = fileURLToPath(new URL('../../deploy/helm/akbp/', import.meta.url));
type Obj = { [k: string]: unknown };

function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? merge(a[k] as Obj, v as Obj) : v;
  }
  return out;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [k: string]: unknown;
}

/** `helm template RELEASE deploy/helm/akbp --set …` for the subset of templates the chart uses. */
function render(values: Obj = {}): Manifest[] {
  const meta = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { appVersion: string; version: string; name: string };
  const root = {
    Values: merge(parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Obj, values),
    Release: { Name: 'iam', Namespace: 'auth' },
    Chart: { Name: meta.name, Version: meta.version, AppVersion: meta.appVersion },
  };
  const out: Manifest[] = [];
  for (const file of readdirSync(join(chart, 'templates')).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const text = renderTemplate(readFileSync(join(chart, 'templates', file), 'utf8'), root);
    for (const doc of parseAllDocuments(text)) {
      assert.deepEqual(doc.errors, [], `${file} renders to valid YAML:\n${text}`);
      const v = doc.toJS() as Manifest | null;
      if (v) out.push(v);
    }
  }
  return out;
}

const models: { [key: string]: new (data: never) => { validate(): void } } = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/Ingress': Ingress,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function validateAll(ms: Manifest[]): void {
  for (const m of ms) {
    const Model = models[`${m.apiVersion}/${m.kind}`];
    assert.ok(Model, `no schema for ${m.apiVersion} ${m.kind}`);
    assert.doesNotThrow(() => new Model(m as never).validate(), `${m.kind} ${m.metadata.name} is valid against the API schema`);
  }
}

type Container = {
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests?: Obj };
  securityContext: Obj;
  image: string;
};
const deployment = (ms: Manifest[]) =>
  ms.find((m) => m.kind === 'Deployment') as unknown as { spec: { replicas: number; template: { spec: { containers: Container[]; securityContext: Obj } } } };

test('default values: Deployment, Service and ServiceAccount, all valid; probes, secrets and hardening as documented', () => {
  const ms = render();
  assert.deepEqual(ms.map((m) => m.kind).sort(), ['Deployment', 'Service', 'ServiceAccount']);
  validateAll(ms);
  const d = deployment(ms);
  const c = d.spec.template.spec.containers[0]!;
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.ok(c.resources.requests?.cpu && c.resources.requests?.memory, 'resource requests');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(d.spec.template.spec.securityContext.runAsNonRoot, true);
  const token = c.env.find((e) => e.name === 'AUTHENTIK_TOKEN')!;
  assert.deepEqual(token.valueFrom?.secretKeyRef, { name: 'akbp-authentik', key: 'token' }, 'the token comes from a Secret');
  assert.ok(c.env.find((e) => e.name === 'AKBP_WEBHOOK_SECRET')?.valueFrom?.secretKeyRef, 'the webhook secret comes from a Secret');
  assert.deepEqual(c.args.slice(0, 5), ['serve', '--listen', '0.0.0.0:8080', '--server', 'https://authentik.example.com']);
  assert.ok(c.args.includes('--source'));
  assert.deepEqual(c.args.slice(c.args.indexOf('--state'), c.args.indexOf('--state') + 2), ['--state', 'authentik']);
  assert.equal(d.spec.replicas, 1);
});

test('postgres state, two replicas, Ingress for webhooks and a ServiceMonitor: every manifest valid', () => {
  const ms = render({
    replicaCount: 2,
    state: { backend: 'postgres' },
    apply: true,
    ingress: { enabled: true, className: 'nginx', tlsSecret: 'akbp-tls' },
    serviceMonitor: { enabled: true },
    extraEnv: [{ name: 'AKBP_GIT_TOKEN', valueFrom: { secretKeyRef: { name: 'git', key: 'token' } } }],
  });
  assert.deepEqual(ms.map((m) => m.kind).sort(), ['Deployment', 'Ingress', 'Service', 'ServiceAccount', 'ServiceMonitor']);
  validateAll(ms);
  const c = deployment(ms).spec.template.spec.containers[0]!;
  assert.ok(c.args.includes('--apply'));
  assert.equal(c.args[c.args.indexOf('--state') + 1], '$(AKBP_STATE_URL)');
  assert.ok(c.env.find((e) => e.name === 'AKBP_STATE_URL')?.valueFrom?.secretKeyRef);
  assert.ok(c.env.find((e) => e.name === 'AKBP_GIT_TOKEN'));
  const ing = ms.find((m) => m.kind === 'Ingress') as unknown as { spec: { rules: { http: { paths: { path: string }[] } }[] } };
  assert.deepEqual(
    ing.spec.rules[0]!.http.paths.map((p) => p.path),
    ['/hooks/'],
    'only webhooks are exposed',
  );
});

test('more than one replica without the postgres backend is refused at render time', () => {
  assert.throws(
    () => render({ replicaCount: 3 }),
    (e: Error) => e instanceof TemplateFail && /replicaCount > 1 needs state\.backend=postgres/.test(e.message),
  );
  assert.throws(() => render({ state: { backend: 'file' } }), /state\.backend must be authentik or postgres/);
});

test('a value the schema rejects is caught (the validation is not a no-op)', () => {
  const ms = render({ service: { port: 'eighty' } });
  const svc = ms.find((m) => m.kind === 'Service')!;
  assert.throws(() => new Service(svc as never).validate());
});
