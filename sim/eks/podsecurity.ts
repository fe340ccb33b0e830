/**
 * Pod Security admission (pkg: k8s.io/pod-security-admission): the Baseline and Restricted checks a pod spec
 * most often fails, worded as the plugin words them (`privileged (container "app" must not set
 * securityContext.privileged=true)`), and the levels a namespace's labels select.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON in this file */
type K = Record<string, any>;

export type Level = 'privileged' | 'baseline' | 'restricted';
export type Mode = 'enforce' | 'warn' | 'audit';

const LABEL = 'pod-security.kubernetes.io';

/** The level and version a namespace's labels set for a mode (`restricted:latest`), or undefined. */
export function namespacePolicy(namespace: K | undefined, mode: Mode): string | undefined {
  const labels: Record<string, string> = namespace?.metadata?.labels ?? {};
  const level = labels[`${LABEL}/${mode}`];
  if (level !== 'baseline' && level !== 'restricted') return undefined;
  return `${level}:${labels[`${LABEL}/${mode}-version`] ?? 'latest'}`;
}

/** `container "app"` or `containers "a", "b"`. */
const containers = (names: string[]) =>
  `${names.length === 1 ? 'container' : 'containers'} ${names.map(n => JSON.stringify(n)).join(', ')}`;

interface Check {
  level: Level;
  /** The violation, or undefined when the pod passes. */
  run(spec: K, all: K[]): string | undefined;
}

const sc = (c: K) => c.securityContext ?? {};

const CHECKS: Check[] = [
  {
    level: 'baseline',
    run: spec => {
      const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter(k => spec[k] === true);
      return set.length ? `host namespaces (${set.map(k => `${k}=true`).join(', ')})` : undefined;
    }
  },
  {
    level: 'baseline',
    run: spec => {
      const names = (spec.volumes ?? []).filter((v: K) => v.hostPath).map((v: K) => String(v.name));
      return names.length
        ? `hostPath volumes (${names.length === 1 ? 'volume' : 'volumes'} ${names.map((n: string) => JSON.stringify(n)).join(', ')})`
        : undefined;
    }
  },
  {
    level: 'baseline',
    run: (_spec, all) => {
      const uses = all.flatMap(c =>
        (c.ports ?? [])
          .filter((p: K) => p.hostPort)
          .map((p: K) => `container "${c.name}" uses hostPort ${p.hostPort}`)
      );
      return uses.length ? `hostPort (${uses.join(', ')})` : undefined;
    }
  },
  {
    level: 'baseline',
    run: (_spec, all) => {
      const names = all.filter(c => sc(c).privileged === true).map(c => String(c.name));
      return names.length
        ? `privileged (${containers(names)} must not set securityContext.privileged=true)`
        : undefined;
    }
  },
  {
    level: 'restricted',
    run: (_spec, all) => {
      const names = all.filter(c => sc(c).allowPrivilegeEscalation !== false).map(c => String(c.name));
      return names.length
        ? `allowPrivilegeEscalation != false (${containers(names)} must set securityContext.allowPrivilegeEscalation=false)`
        : undefined;
    }
  },
  {
    level: 'restricted',
    run: (_spec, all) => {
      const names = all
        .filter(c => !(sc(c).capabilities?.drop ?? []).includes('ALL'))
        .map(c => String(c.name));
      return names.length
        ? `unrestricted capabilities (${containers(names)} must set securityContext.capabilities.drop=["ALL"])`
        : undefined;
    }
  },
  {
    level: 'restricted',
    run: (spec, all) => {
      const podSets = spec.securityContext?.runAsNonRoot === true;
      const names = all
        .filter(c => sc(c).runAsNonRoot !== true && !(podSets && sc(c).runAsNonRoot === undefined))
        .map(c => String(c.name));
      return names.length
        ? `runAsNonRoot != true (pod or ${containers(names)} must set securityContext.runAsNonRoot=true)`
        : undefined;
    }
  },
  {
    level: 'restricted',
    run: (spec, all) => {
      if (spec.securityContext?.runAsUser === 0) return 'runAsUser=0 (pod must not set runAsUser=0)';
      const names = all.filter(c => sc(c).runAsUser === 0).map(c => String(c.name));
      return names.length ? `runAsUser=0 (${containers(names)} must not set runAsUser=0)` : undefined;
    }
  },
  {
    level: 'restricted',
    run: (spec, all) => {
      const ok = (p: K | undefined) => p?.type === 'RuntimeDefault' || p?.type === 'Localhost';
      const podSets = ok(spec.securityContext?.seccompProfile);
      const names = all
        .filter(c => (sc(c).seccompProfile ? !ok(sc(c).seccompProfile) : !podSets))
        .map(c => String(c.name));
      return names.length
        ? `seccompProfile (pod or ${containers(names)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`
        : undefined;
    }
  }
];

/** What a pod spec violates at a policy (`restricted:latest`), comma-joined as the plugin joins them; '' if nothing. */
export function violations(policy: string, spec: K | undefined): string {
  const level = policy.split(':')[0] as Level;
  if (!spec || level === 'privileged') return '';
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  return CHECKS.filter(c => level === 'restricted' || c.level === 'baseline')
    .map(c => c.run(spec, all))
    .filter(Boolean)
    .join(', ');
}
