import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../../core/errors.js';
import { checkSizes } from './limits.js';
import type { Manifest } from './manifests.js';

const MiB = 1024 * 1024;

function manifest(object: Record<string, unknown>, source = 'k8s/app.yaml'): Manifest {
  return { object: object as Manifest['object'], source };
}
const configMap = (data: Record<string, string>, extra: Record<string, unknown> = {}) =>
  manifest({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'big', namespace: 'shop' },
    data,
    ...extra
  });

function problems(manifests: Manifest[]): { input?: string; message: string }[] {
  try {
    checkSizes(manifests);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(p => ({ input: p.input, message: p.message }));
  }
}

describe('checkSizes', () => {
  it('refuses an object over the API server request limit (3 MiB), naming the file and object', () => {
    // A 5 MB CustomResource: no data limit applies, only the request's.
    const big = manifest(
      {
        apiVersion: 'example.com/v1',
        kind: 'Blob',
        metadata: { name: 'huge', namespace: 'shop' },
        spec: { payload: 'x'.repeat(5_000_000) }
      },
      'k8s/blob.yaml (document 2)'
    );
    expect(problems([configMap({ a: 'b' }), big])).toEqual([
      {
        input: 'manifests',
        message: expect.stringMatching(
          /^k8s\/blob\.yaml \(document 2\): Blob shop\/huge is 4\.8 MiB as sent; the API server refuses a request over 3 MiB \(HTTP 413, limit 3145728 bytes\)\.$/
        )
      }
    ]);
  });

  it('counts what is sent, labels and all, in UTF-8 bytes', () => {
    // 1.1 M three-byte characters: 3.3 MB as sent, though under 3 M characters.
    const text = '€'.repeat(1_100_000);
    const found = problems([
      manifest({ apiVersion: 'example.com/v1', kind: 'Blob', metadata: { name: 'b' }, spec: { text } })
    ]);
    expect(found).toHaveLength(1);
  });

  it('refuses a ConfigMap or Secret with more than 1 MiB of data (binaryData and base64 decoded, stringData over data)', () => {
    expect(problems([configMap({ a: 'x'.repeat(MiB) })])).toHaveLength(0);
    expect(problems([configMap({ a: 'x'.repeat(MiB), b: 'y' })])[0].message).toMatch(
      /ConfigMap shop\/big holds 1048577 bytes of data; a ConfigMap's data may be at most 1 MiB \(1048576 bytes\)/
    );
    const half = Buffer.alloc(MiB / 2 + 1).toString('base64');
    expect(problems([configMap({}, { binaryData: { a: half, b: half } })])).toHaveLength(1);
    const secret = (data: Record<string, string>, stringData: Record<string, string>) =>
      manifest(
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data, stringData },
        'kustomize:overlays/prod'
      );
    expect(problems([secret({ a: half }, { b: 'x'.repeat(MiB / 2) })])).toEqual([
      {
        input: 'kustomize',
        message: expect.stringContaining('Secret s holds 1048577 bytes of data')
      }
    ]);
    // stringData replaces the same key of data.
    expect(problems([secret({ a: half, b: half }, { b: 'short' })])).toEqual([]);
  });

  it('refuses annotations over 256 KiB', () => {
    const annotated = manifest({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'example.com/notes': 'n'.repeat(256 * 1024) } }
    });
    expect(problems([annotated])[0].message).toMatch(
      /Deployment web has 262161 bytes of annotations; an object's annotations may be at most 256 KiB/
    );
  });

  it('warns of an object over etcd default request size (1.5 MiB), and says nothing of a small one', () => {
    const warnings = checkSizes([
      configMap({ a: 'b' }),
      manifest({
        apiVersion: 'example.com/v1',
        kind: 'Blob',
        metadata: { name: 'b' },
        spec: { p: 'x'.repeat(2 * MiB) }
      })
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^k8s\/app\.yaml: Blob b is 2 MiB as sent; etcd refuses to store more than 1\.5 MiB by default/
      )
    ]);
  });

  it('reports every object that is too large at once', () => {
    const found = problems([
      configMap({ a: 'x'.repeat(MiB + 1) }),
      manifest({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { a: 'x'.repeat(4 * MiB) }
      })
    ]);
    expect(found).toHaveLength(3);
  });
});
