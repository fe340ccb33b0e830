/**
 * The values ECS fills in when it registers a task definition, or that mean the same as leaving the member
 * out, from the ECS API reference and the developer guide's task definition parameters. Comparing a rendered
 * task definition with a registered revision removes them from both sides, so that a file that leaves them
 * out reuses the revision ECS stored with them.
 */

type Obj = Record<string, unknown>;

/** A member whose value equals its default (`value`), or a default computed from its parent object. */
interface Default {
  /** Path pattern: `.` separated members, `[]` for every item of a list. */
  path: string;
  value: (parent: Obj, task: Obj) => unknown;
}

const fixed = (value: unknown) => () => value;

const DEFAULTS: Default[] = [
  // Task: networkMode defaults to bridge on Linux (ContainerDefinition docs: "The default is bridge").
  { path: 'networkMode', value: fixed('bridge') },
  { path: 'enableFaultInjection', value: fixed(false) },
  // Containers.
  { path: 'containerDefinitions[].essential', value: fixed(true) },
  { path: 'containerDefinitions[].cpu', value: fixed(0) },
  { path: 'containerDefinitions[].portMappings[].protocol', value: fixed('tcp') },
  // awsvpc and host: hostPort is the containerPort, and ECS stores it so.
  {
    path: 'containerDefinitions[].portMappings[].hostPort',
    value: (port, task) =>
      task.networkMode === 'awsvpc' || task.networkMode === 'host' ? port.containerPort : undefined
  },
  { path: 'containerDefinitions[].mountPoints[].readOnly', value: fixed(false) },
  { path: 'containerDefinitions[].volumesFrom[].readOnly', value: fixed(false) },
  { path: 'containerDefinitions[].privileged', value: fixed(false) },
  { path: 'containerDefinitions[].readonlyRootFilesystem', value: fixed(false) },
  { path: 'containerDefinitions[].disableNetworking', value: fixed(false) },
  { path: 'containerDefinitions[].interactive', value: fixed(false) },
  { path: 'containerDefinitions[].pseudoTerminal', value: fixed(false) },
  { path: 'containerDefinitions[].linuxParameters.initProcessEnabled', value: fixed(false) },
  // HealthCheck: interval 30 s, timeout 5 s, retries 3, startPeriod off (0); ECS returns the first three.
  { path: 'containerDefinitions[].healthCheck.interval', value: fixed(30) },
  { path: 'containerDefinitions[].healthCheck.timeout', value: fixed(5) },
  { path: 'containerDefinitions[].healthCheck.retries', value: fixed(3) },
  { path: 'containerDefinitions[].healthCheck.startPeriod', value: fixed(0) },
  { path: 'containerDefinitions[].environmentFiles[].type', value: fixed('s3') },
  { path: 'containerDefinitions[].versionConsistency', value: fixed('enabled') },
  // Volumes: EFS mounts the root ("/") without encryption in transit and without IAM authorization.
  { path: 'volumes[].efsVolumeConfiguration.rootDirectory', value: fixed('/') },
  { path: 'volumes[].efsVolumeConfiguration.transitEncryption', value: fixed('DISABLED') },
  { path: 'volumes[].efsVolumeConfiguration.authorizationConfig.iam', value: fixed('DISABLED') },
  // Docker volumes are task-scoped unless said otherwise; autoprovision applies to shared ones only.
  { path: 'volumes[].dockerVolumeConfiguration.scope', value: fixed('task') },
  { path: 'volumes[].dockerVolumeConfiguration.autoprovision', value: fixed(false) },
  { path: 'volumes[].configuredAtLaunch', value: fixed(false) },
  { path: 'proxyConfiguration.type', value: fixed('APPMESH') }
];

function strip(parent: unknown, parts: string[], task: Obj, def: Default): void {
  if (!parent || typeof parent !== 'object') return;
  const [head, ...rest] = parts;
  const list = head.endsWith('[]');
  const key = list ? head.slice(0, -2) : head;
  const value = (parent as Obj)[key];
  if (rest.length === 0) {
    if (value !== undefined && JSON.stringify(value) === JSON.stringify(def.value(parent as Obj, task)))
      delete (parent as Obj)[key];
    return;
  }
  if (list) {
    if (Array.isArray(value)) for (const item of value) strip(item, rest, task, def);
  } else strip(value, rest, task, def);
}

/** A copy without the members that equal what ECS would store for them anyway. */
export function withoutDefaults<T>(request: T): T {
  const copy = structuredClone(request) as Obj;
  // The hostPort rule reads networkMode, so it runs before networkMode itself is removed.
  for (const def of DEFAULTS.filter(d => d.path !== 'networkMode'))
    strip(copy, def.path.split('.'), copy, def);
  strip(copy, ['networkMode'], copy, DEFAULTS[0]);
  return copy as T;
}
