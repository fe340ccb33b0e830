/**
 * CustomResourceDefinitions of controllers EKS users install, for tests that apply their kinds: Argo Rollouts'
 * `rollouts.argoproj.io` (names, scope, version and subresources as its install manifest has them; the schema
 * left open, as the test server prunes no fields).
 */
export const ROLLOUT_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: 'rollouts.argoproj.io',
    labels: { 'app.kubernetes.io/name': 'argo-rollouts', 'app.kubernetes.io/part-of': 'argo-rollouts' }
  },
  spec: {
    group: 'argoproj.io',
    names: {
      kind: 'Rollout',
      listKind: 'RolloutList',
      plural: 'rollouts',
      shortNames: ['ro'],
      singular: 'rollout'
    },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.replicas',
            statusReplicasPath: '.status.HPAReplicas',
            labelSelectorPath: '.status.selector'
          }
        }
      }
    ]
  }
};
