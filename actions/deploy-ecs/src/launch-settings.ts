/**
 * What UpdateService and the one-off task's RunTask get besides the revision: EBS volumes configured at deployment
 * (`volume-configurations`, ServiceVolumeConfiguration as the ECS API reference writes it) and ECS Exec
 * (`enable-execute-command`). Read and checked before any call; verify then checks them against the task
 * definition: a configured volume names one of its volumes with `configuredAtLaunch: true`, and ECS Exec has a
 * task role to run under.
 */
import type {
  RegisterTaskDefinitionRequest,
  Service,
  ServiceVolumeConfiguration,
  TaskDefinition,
  TaskVolumeConfiguration
} from '@aws-sdk/client-ecs';
import { parse as parseYaml } from 'yaml';
import { oneLine, type InputReader } from '../../../core/index.js';
import { SERVICE_VOLUME_CONFIGURATION } from './model.js';
import { checkMember, type FieldProblem } from './normalise.js';
import type { Origin } from './render.js';

export interface LaunchSettings {
  /** `volume-configurations`: undefined leaves the service's as they are; an empty list removes them. */
  volumeConfigurations?: ServiceVolumeConfiguration[];
  /** `enable-execute-command`: undefined leaves the service's setting as it is. */
  enableExecuteCommand?: boolean;
}

/** The request members these inputs set, for verify to blame a problem there on its input. */
export const LAUNCH_SETTING_ORIGINS: [string, Origin][] = [
  ['volumeConfigurations', { input: 'volume-configurations' }],
  ['enableExecuteCommand', { input: 'enable-execute-command' }]
];

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** Reads both inputs; each problem goes to the reader, naming its input. */
export function launchSettingsInput(
  r: InputReader,
  context: { service?: string; runTask: string }
): LaunchSettings {
  const settings: LaunchSettings = {
    volumeConfigurations: volumeConfigurationsInput(r, r.raw('volume-configurations')),
    enableExecuteCommand:
      r.raw('enable-execute-command') === '' ? undefined : r.boolean('enable-execute-command', false)
  };
  if (context.service === undefined && context.runTask === '')
    for (const name of ['volume-configurations', 'enable-execute-command'])
      if (r.raw(name) !== '')
        r.fail(
          name,
          "needs 'service' or 'run-task': it applies to the tasks they start.",
          'Remove it, or set one.'
        );
  return settings;
}

/** `volume-configurations`: a JSON or YAML list (or one object) of ServiceVolumeConfiguration. */
function volumeConfigurationsInput(r: InputReader, text: string): ServiceVolumeConfiguration[] | undefined {
  if (text === '') return undefined;
  const fail = (message: string, fix: string) => r.fail('volume-configurations', message, fix);
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    fail(
      `is not valid JSON or YAML: ${oneLine((error as Error).message, { firstLine: true })}`,
      'Write a list of volume configurations, as UpdateService takes them.'
    );
    return undefined;
  }
  const list = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? [parsed] : parsed;
  if (!Array.isArray(list)) {
    fail('is not a list of volume configurations.', EXAMPLE);
    return undefined;
  }
  const checked = checkMember(list, { kind: 'list', of: SERVICE_VOLUME_CONFIGURATION }, '');
  const configs = checked.value as ServiceVolumeConfiguration[];
  // The rules judge values of the right types: one of a wrong type was reported and left out, not missing too.
  const problems = checked.problems.length > 0 ? checked.problems : ebsRules(configs);
  for (const p of problems) fail(`${p.path}: ${p.message}`, p.fix);
  for (const path of checked.unknown)
    fail(`${path} is not a member ECS knows.`, `Use the members of ServiceVolumeConfiguration. ${EXAMPLE}`);
  const ok = problems.length === 0 && checked.unknown.length === 0;
  return ok ? configs : undefined;
}

const EXAMPLE =
  'For example: [{"name": "data", "managedEBSVolume": {"sizeInGiB": 20, "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRole"}}].';

/** IOPS each volume type takes (ServiceManagedEBSVolumeConfiguration `iops`); none for st1, sc1 and standard. */
const IOPS: Record<string, [number, number] | null> = {
  gp3: [3000, 16000],
  io1: [100, 64000],
  io2: [100, 256000],
  st1: null,
  sc1: null,
  standard: null
};

/** Volume sizes in GiB by type (`sizeInGiB`). */
const SIZES: Record<string, [number, number]> = {
  gp2: [1, 16384],
  gp3: [1, 16384],
  io1: [4, 16384],
  io2: [4, 16384],
  st1: [125, 16384],
  sc1: [125, 16384],
  standard: [1, 1024]
};

/** The rules the reference states for ServiceManagedEBSVolumeConfiguration beyond the types. */
function ebsRules(configs: ServiceVolumeConfiguration[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const names = new Set<string>();
  configs.forEach((config, i) => {
    const at = (member: string) => `[${i}]${member ? `.${member}` : ''}`;
    if (config.name !== undefined && names.has(config.name))
      problems.push({
        path: at('name'),
        message: `'${config.name}' is configured twice.`,
        fix: 'Configure each volume once.'
      });
    if (config.name !== undefined) names.add(config.name);
    const ebs = config.managedEBSVolume;
    if (!ebs) {
      problems.push({
        path: at(''),
        message: 'configures no volume.',
        fix: 'Give managedEBSVolume: an EBS volume is the one kind ECS configures at deployment.'
      });
      return;
    }
    problems.push(...ebsVolumeRules(ebs, at));
  });
  return problems;
}

function ebsVolumeRules(
  ebs: NonNullable<ServiceVolumeConfiguration['managedEBSVolume']>,
  at: (member: string) => string
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (member: string, message: string, fix: string) =>
    problems.push({ path: at(`managedEBSVolume.${member}`), message, fix });
  const type = ebs.volumeType;
  if (ebs.sizeInGiB === undefined && ebs.snapshotId === undefined)
    add(
      'sizeInGiB',
      'is missing, and so is snapshotId.',
      'Give the size in GiB, or a snapshot to create the volume from.'
    );
  if (ebs.volumeInitializationRate !== undefined && ebs.snapshotId === undefined)
    add(
      'volumeInitializationRate',
      'is given without snapshotId.',
      'Give it only with a snapshot to create the volume from.'
    );
  const size = type ? SIZES[type] : undefined;
  if (size && ebs.sizeInGiB !== undefined && (ebs.sizeInGiB < size[0] || ebs.sizeInGiB > size[1]))
    add(
      'sizeInGiB',
      `${ebs.sizeInGiB} GiB is outside ${size[0]}–${size[1]}, the sizes of ${type}.`,
      'Choose a size in that range.'
    );
  const iops = type ? IOPS[type] : undefined;
  if (iops === null && ebs.iops !== undefined)
    add('iops', `is not supported for ${type} volumes.`, 'Remove it.');
  if (iops && ebs.iops !== undefined && (ebs.iops < iops[0] || ebs.iops > iops[1]))
    add(
      'iops',
      `${ebs.iops} is outside ${iops[0]}–${iops[1]}, the IOPS of ${type}.`,
      'Choose a value in that range.'
    );
  if ((type === 'io1' || type === 'io2') && ebs.iops === undefined)
    add('iops', `is required for ${type} volumes.`, 'Give the IOPS to provision.');
  if (ebs.throughput !== undefined && type !== 'gp3')
    add(
      'throughput',
      `is supported for gp3 volumes only, not ${type ?? 'a volume without volumeType'}.`,
      "Remove it, or set volumeType 'gp3'."
    );
  if (ebs.throughput !== undefined && ebs.throughput > 1000)
    add('throughput', `${ebs.throughput} MiB/s is above the 1,000 MiB/s maximum.`, 'Choose at most 1000.');
  if (ebs.roleArn !== undefined && !ROLE_ARN.test(ebs.roleArn))
    add(
      'roleArn',
      `'${ebs.roleArn}' is not an IAM role ARN.`,
      'Give the ECS infrastructure role: arn:aws:iam::<account>:role/<name>.'
    );
  ebs.tagSpecifications?.forEach((spec, j) =>
    spec.tags?.forEach((tag, k) => {
      if (tag.key === 'AmazonECSCreated' || tag.key === 'AmazonECSManaged')
        add(
          `tagSpecifications[${j}].tags[${k}].key`,
          `'${tag.key}' is a tag ECS reserves.`,
          'Use another key.'
        );
    })
  );
  return problems;
}

/** The volume configurations of the service's running deployment (PRIMARY), if any. */
export function currentVolumeConfigurations(
  service: Service | undefined
): ServiceVolumeConfiguration[] | undefined {
  const primary = service?.deployments?.find(d => d.status === 'PRIMARY');
  return primary?.volumeConfigurations?.length ? primary.volumeConfigurations : undefined;
}

/**
 * verify's rules for the settings, on the task definition to deploy: a configured volume is one of its volumes,
 * configured at launch; it has at most one such volume (ECS's rule); ECS Exec has a task role. `notes` says what
 * is worth knowing but no problem: a volume configured at launch that nothing configures.
 */
export function verifyLaunchSettings(
  request: RegisterTaskDefinitionRequest,
  settings: LaunchSettings,
  service?: Service
): { problems: FieldProblem[]; notes: string[] } {
  const volumes = request.volumes ?? [];
  const atLaunch = volumes.flatMap((v, i) => (v.configuredAtLaunch ? [{ name: v.name ?? '', i }] : []));
  const problems: FieldProblem[] = atLaunch.slice(1).map(({ name, i }) => ({
    path: `volumes[${i}].configuredAtLaunch`,
    message: `'${name}' is a second volume configured at launch; a task definition may have only one.`,
    fix: 'Configure one volume at launch; give the others their configuration in the task definition.'
  }));
  (settings.volumeConfigurations ?? []).forEach((config, i) => {
    const volume = volumes.find(v => v.name === config.name);
    if (volume?.configuredAtLaunch) return;
    const names = atLaunch.map(v => `'${v.name}'`).join(', ');
    problems.push({
      path: `volumeConfigurations[${i}].name`,
      message: volume
        ? `the task definition's volume '${config.name}' is not configured at launch (configuredAtLaunch is not true).`
        : `the task definition has no volume '${config.name}'.`,
      fix: names
        ? `Configure ${names}, the volume the task definition leaves to launch.`
        : 'Add the volume to the task definition with "configuredAtLaunch": true.'
    });
  });
  if (settings.enableExecuteCommand && !request.taskRoleArn)
    problems.push({
      path: 'enableExecuteCommand',
      message: 'ECS Exec needs a task role, and the task definition has none.',
      fix: "Give the task definition a task role with the ssmmessages permissions ECS Exec uses ('task-role-arn'), or turn ECS Exec off."
    });
  const configured = settings.volumeConfigurations ?? currentVolumeConfigurations(service) ?? [];
  const notes = atLaunch
    .filter(v => !configured.some(c => c.name === v.name))
    .map(
      v =>
        `The volume '${v.name}' is configured at launch, and neither 'volume-configurations' nor the service configures it.`
    );
  return { problems, notes };
}

/**
 * The one-off task's volumes: the service's configurations (the input's, else those it runs) as RunTask takes them,
 * for the volumes the new revision configures at launch. Tags propagate from the service only to a service's
 * volumes (EBSTagSpecification), so a one-off task's volume gets the tags given, not the service's.
 */
export function taskVolumeConfigurations(
  configs: ServiceVolumeConfiguration[] | undefined,
  taskDefinition: TaskDefinition
): TaskVolumeConfiguration[] {
  const atLaunch = new Set((taskDefinition.volumes ?? []).filter(v => v.configuredAtLaunch).map(v => v.name));
  return (configs ?? [])
    .filter(c => atLaunch.has(c.name) && c.managedEBSVolume)
    .map(c => {
      const { tagSpecifications, ...ebs } = c.managedEBSVolume!;
      const tags = tagSpecifications?.map(spec =>
        spec.propagateTags === 'SERVICE' ? { resourceType: spec.resourceType, tags: spec.tags } : spec
      );
      return { name: c.name, managedEBSVolume: { ...ebs, ...(tags ? { tagSpecifications: tags } : {}) } };
    });
}
