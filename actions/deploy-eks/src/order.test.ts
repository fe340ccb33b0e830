import { describe, expect, it } from '@jest/globals';
import { inInstallOrder } from './order.js';

describe('inInstallOrder (Helm InstallOrder)', () => {
  it('puts what pods need before the workloads, other kinds last by kind, one kind in manifest order', () => {
    const kinds = [
      'Deployment',
      'Widget',
      'ConfigMap/b',
      'Service',
      'Certificate',
      'ConfigMap/a',
      'Namespace',
      'CustomResourceDefinition',
      'Secret',
      'ServiceAccount',
      'HorizontalPodAutoscaler',
      'Job',
      'Ingress'
    ];
    expect(inInstallOrder(kinds, k => k.split('/')[0])).toEqual([
      'Namespace',
      'ServiceAccount',
      'Secret',
      'ConfigMap/b',
      'ConfigMap/a',
      'CustomResourceDefinition',
      'Service',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Job',
      'Ingress',
      'Certificate',
      'Widget'
    ]);
  });
});
