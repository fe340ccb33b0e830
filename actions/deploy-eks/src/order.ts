/**
 * The order objects are applied in: Helm's install order (helm/helm pkg/release/v1/util/kind_sorter.go
 * `InstallOrder`), so what a pod needs (its namespace, ServiceAccount, ConfigMaps, Secrets) exists before the
 * workload that makes the pod. Kinds Helm does not list come last, by kind name, as Helm sorts them (custom
 * resources among them, after their CustomResourceDefinition). Objects of one kind keep their manifest order.
 */

export const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration'
];

const RANK = new Map(INSTALL_ORDER.map((kind, i) => [kind, i]));

/** `items` in install order (a stable sort: one kind keeps the order it was given in). */
export function inInstallOrder<T>(items: T[], kindOf: (item: T) => string): T[] {
  const ranked = items.map((item, index) => ({ item, index, kind: kindOf(item) }));
  ranked.sort((a, b) => {
    const ra = RANK.get(a.kind);
    const rb = RANK.get(b.kind);
    if (ra !== undefined && rb !== undefined) return ra - rb || a.index - b.index;
    if (ra !== undefined) return -1;
    if (rb !== undefined) return 1;
    return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.index - b.index;
  });
  return ranked.map(r => r.item);
}
