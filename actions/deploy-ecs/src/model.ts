/**
 * The shapes of a RegisterTaskDefinition request, from the Amazon ECS API reference (RegisterTaskDefinition,
 * ContainerDefinition and the data types they use): each member's type and whether the service requires it.
 * normalise.ts checks a task definition against it, so a wrong type is reported with its field path
 * instead of crashing later or being refused by ECS with "SerializationException".
 */

/** `s` string, `i` integer, `b` boolean, `S` list of strings, `M` map of string to string. */
export type Scalar = 's' | 'i' | 'b' | 'S' | 'M';
export interface Struct {
  kind: 'struct';
  members: Record<string, Shape>;
  required?: string[];
  /** Allowed values of string members (enums). */
  enums?: Record<string, string[]>;
}
export interface List {
  kind: 'list';
  of: Struct;
}
export type Shape = Scalar | Struct | List;

const struct = (
  members: Record<string, Shape>,
  required: string[] = [],
  enums: Record<string, string[]> = {}
): Struct => ({ kind: 'struct', members, required, enums });
const list = (of: Struct): List => ({ kind: 'list', of });

const KEY_VALUE = struct({ name: 's', value: 's' });
const SECRET = struct({ name: 's', valueFrom: 's' }, ['name', 'valueFrom']);

export const CONTAINER: Struct = struct(
  {
    name: 's',
    image: 's',
    repositoryCredentials: struct({ credentialsParameter: 's' }, ['credentialsParameter']),
    cpu: 'i',
    memory: 'i',
    memoryReservation: 'i',
    links: 'S',
    portMappings: list(
      struct(
        {
          containerPort: 'i',
          hostPort: 'i',
          protocol: 's',
          name: 's',
          appProtocol: 's',
          containerPortRange: 's'
        },
        [],
        { protocol: ['tcp', 'udp'], appProtocol: ['http', 'http2', 'grpc'] }
      )
    ),
    essential: 'b',
    restartPolicy: struct({ enabled: 'b', ignoredExitCodes: 'S', restartAttemptPeriod: 'i' }, ['enabled']),
    entryPoint: 'S',
    command: 'S',
    environment: list(KEY_VALUE),
    environmentFiles: list(struct({ value: 's', type: 's' }, ['value', 'type'], { type: ['s3'] })),
    mountPoints: list(struct({ sourceVolume: 's', containerPath: 's', readOnly: 'b' })),
    volumesFrom: list(struct({ sourceContainer: 's', readOnly: 'b' })),
    linuxParameters: struct({
      capabilities: struct({ add: 'S', drop: 'S' }),
      devices: list(struct({ hostPath: 's', containerPath: 's', permissions: 'S' }, ['hostPath'])),
      initProcessEnabled: 'b',
      sharedMemorySize: 'i',
      tmpfs: list(struct({ containerPath: 's', size: 'i', mountOptions: 'S' }, ['containerPath', 'size'])),
      maxSwap: 'i',
      swappiness: 'i'
    }),
    secrets: list(SECRET),
    dependsOn: list(
      struct({ containerName: 's', condition: 's' }, ['containerName', 'condition'], {
        condition: ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY']
      })
    ),
    startTimeout: 'i',
    stopTimeout: 'i',
    versionConsistency: 's',
    hostname: 's',
    user: 's',
    workingDirectory: 's',
    disableNetworking: 'b',
    privileged: 'b',
    readonlyRootFilesystem: 'b',
    dnsServers: 'S',
    dnsSearchDomains: 'S',
    extraHosts: list(struct({ hostname: 's', ipAddress: 's' }, ['hostname', 'ipAddress'])),
    dockerSecurityOptions: 'S',
    interactive: 'b',
    pseudoTerminal: 'b',
    dockerLabels: 'M',
    ulimits: list(struct({ name: 's', softLimit: 'i', hardLimit: 'i' }, ['name', 'softLimit', 'hardLimit'])),
    logConfiguration: struct({ logDriver: 's', options: 'M', secretOptions: list(SECRET) }, ['logDriver'], {
      logDriver: ['json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'awsfirelens']
    }),
    healthCheck: struct({ command: 'S', interval: 'i', timeout: 'i', retries: 'i', startPeriod: 'i' }, [
      'command'
    ]),
    systemControls: list(struct({ namespace: 's', value: 's' })),
    resourceRequirements: list(
      struct({ value: 's', type: 's' }, ['value', 'type'], { type: ['GPU', 'InferenceAccelerator'] })
    ),
    firelensConfiguration: struct({ type: 's', options: 'M' }, ['type'], { type: ['fluentd', 'fluentbit'] }),
    credentialSpecs: 'S'
  },
  ['name', 'image'],
  { versionConsistency: ['enabled', 'disabled'] }
);

const EFS = struct(
  {
    fileSystemId: 's',
    rootDirectory: 's',
    transitEncryption: 's',
    transitEncryptionPort: 'i',
    authorizationConfig: struct({ accessPointId: 's', iam: 's' }, [], { iam: ['ENABLED', 'DISABLED'] })
  },
  ['fileSystemId'],
  { transitEncryption: ['ENABLED', 'DISABLED'] }
);

export const TASK_DEFINITION: Struct = struct(
  {
    family: 's',
    taskRoleArn: 's',
    executionRoleArn: 's',
    networkMode: 's',
    containerDefinitions: list(CONTAINER),
    volumes: list(
      struct({
        name: 's',
        host: struct({ sourcePath: 's' }),
        dockerVolumeConfiguration: struct(
          { scope: 's', autoprovision: 'b', driver: 's', driverOpts: 'M', labels: 'M' },
          [],
          { scope: ['task', 'shared'] }
        ),
        efsVolumeConfiguration: EFS,
        fsxWindowsFileServerVolumeConfiguration: struct(
          {
            fileSystemId: 's',
            rootDirectory: 's',
            authorizationConfig: struct({ credentialsParameter: 's', domain: 's' }, [
              'credentialsParameter',
              'domain'
            ])
          },
          ['fileSystemId', 'rootDirectory', 'authorizationConfig']
        ),
        configuredAtLaunch: 'b'
      })
    ),
    placementConstraints: list(struct({ type: 's', expression: 's' }, [], { type: ['memberOf'] })),
    requiresCompatibilities: 'S',
    cpu: 's',
    memory: 's',
    tags: list(struct({ key: 's', value: 's' })),
    pidMode: 's',
    ipcMode: 's',
    proxyConfiguration: struct(
      { type: 's', containerName: 's', properties: list(KEY_VALUE) },
      ['containerName'],
      { type: ['APPMESH'] }
    ),
    inferenceAccelerators: list(struct({ deviceName: 's', deviceType: 's' }, ['deviceName', 'deviceType'])),
    ephemeralStorage: struct({ sizeInGiB: 'i' }, ['sizeInGiB']),
    runtimePlatform: struct({ cpuArchitecture: 's', operatingSystemFamily: 's' }, [], {
      cpuArchitecture: ['X86_64', 'ARM64']
    }),
    enableFaultInjection: 'b'
  },
  ['family', 'containerDefinitions'],
  {
    networkMode: ['bridge', 'host', 'awsvpc', 'none'],
    pidMode: ['host', 'task'],
    ipcMode: ['host', 'task', 'none']
  }
);

/** Members whose value is a list of these words (requiresCompatibilities). */
export const LIST_ENUMS: Record<string, string[]> = {
  requiresCompatibilities: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']
};

/**
 * ServiceVolumeConfiguration (UpdateService `volumeConfigurations`): an EBS volume configured at deployment, from
 * the ECS API reference (ServiceVolumeConfiguration, ServiceManagedEBSVolumeConfiguration, EBSTagSpecification).
 */
export const SERVICE_VOLUME_CONFIGURATION: Struct = struct(
  {
    name: 's',
    managedEBSVolume: struct(
      {
        encrypted: 'b',
        kmsKeyId: 's',
        volumeType: 's',
        sizeInGiB: 'i',
        snapshotId: 's',
        volumeInitializationRate: 'i',
        iops: 'i',
        throughput: 'i',
        tagSpecifications: list(
          struct(
            { resourceType: 's', tags: list(struct({ key: 's', value: 's' })), propagateTags: 's' },
            ['resourceType'],
            { resourceType: ['volume'], propagateTags: ['TASK_DEFINITION', 'SERVICE', 'NONE'] }
          )
        ),
        roleArn: 's',
        filesystemType: 's'
      },
      ['roleArn'],
      { filesystemType: ['ext3', 'ext4', 'xfs', 'ntfs'] }
    )
  },
  ['name']
);
