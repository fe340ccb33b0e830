/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON here */
import { describe, expect, it } from '@jest/globals';
import type { Json } from './apply.js';
import { BUILTIN, crdResources } from './resources.js';
import { goSyntax, unknownFields, withoutUnknownFields } from './schema.js';

const deployments = BUILTIN.find(r => r.kind === 'Deployment')!;

// The typo from kubernetes/kubernetes' field validation docs: `livenesProbe` for `livenessProbe`.
const typo: Json = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'any.label/is': 'fine' } },
  spec: {
    replica: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'app', image: 'web:1', livenesProbe: { httpGet: { path: '/', port: 80 } } },
          { name: 'proxy', image: 'proxy:1', ports: [{ containerPort: 80, hostPortt: 1 }] }
        ]
      }
    }
  }
};

describe('unknown fields against the 1.34 schemas', () => {
  it('names each unknown field as the strict decoder and as structured-merge-diff do', () => {
    expect(unknownFields(deployments, typo)).toEqual([
      { decodePath: 'spec.replica', applyPath: '.spec.replica' },
      {
        decodePath: 'spec.template.spec.containers[0].livenesProbe',
        applyPath: '.spec.template.spec.containers[name="app"].livenesProbe'
      },
      {
        decodePath: 'spec.template.spec.containers[1].ports[0].hostPortt',
        applyPath:
          '.spec.template.spec.containers[name="proxy"].ports[containerPort=80,protocol="TCP"].hostPortt'
      }
    ]);
  });

  it('drops unknown fields as a lenient decode does, and keeps the rest', () => {
    const kept = withoutUnknownFields(typo, unknownFields(deployments, typo)) as any;
    expect(kept.spec).not.toHaveProperty('replica');
    expect(kept.spec.template.spec.containers[0]).toEqual({ name: 'app', image: 'web:1' });
    expect(kept.metadata.labels).toEqual({ 'any.label/is': 'fine' });
  });

  it('has no schema for a kind a CRD defines: every field is kept', () => {
    const [widgets] = crdResources({
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1' }] }
    });
    expect(unknownFields(widgets, { spec: { anything: 1 } })).toEqual([]);
  });

  it("quotes a pod template as Go's %#v quotes the internal type, zero values included", () => {
    const text = goSyntax({ spec: { containers: [{ name: 'task', image: 'task:2' }] } }, 'V1PodTemplateSpec');
    expect(text).toMatch(
      /^core\.PodTemplateSpec\{ObjectMeta:v1\.ObjectMeta\{Annotations:map\[string\]string\(nil\), /
    );
    expect(text).toContain('Containers:[]core.Container{core.Container{');
    expect(text).toContain('Image:"task:2"');
    expect(text.length).toBeGreaterThan(2000);
  });
});
