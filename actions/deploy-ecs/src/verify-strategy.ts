/**
 * The verify step's rules for the service a deployment strategy needs, pure, from the ECS developer guide's
 * "Required resources for Amazon ECS blue/green deployments" (and its linear and canary twins):
 *   - ECS shifts traffic through a load balancer's target groups or through Service Connect. A load balancer
 *     needs `advancedConfiguration`: the alternate target group the new revision registers in, the production
 *     listener rule (a listener for a Network Load Balancer) whose traffic moves, and the role ECS uses to move
 *     it; a test listener rule is what test traffic goes through. A Classic Load Balancer cannot shift traffic.
 *   - A blue/green service without either still deploys, without managed traffic shifting (said as a note);
 *     a linear or canary deployment has nothing to shift its steps through.
 *   - Service Connect serves the task definition's port mappings by name (`portName`), whatever the strategy.
 */
import type { LoadBalancer, RegisterTaskDefinitionRequest, Service } from '@aws-sdk/client-ecs';
import { DockyardError } from '../../../core/errors.js';
import { containerPath, type FieldProblem } from './normalise.js';
import type { StrategyName } from './strategy-inputs.js';

export interface StrategyCheck {
  /** Problems of the task definition (its port names), reported with its other problems. */
  problems: FieldProblem[];
  /** Problems of the service for the strategy, each named by the input that chose the strategy. */
  refusals: DockyardError[];
  /** What the deployment will not do, said as notices. */
  notes: string[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/.+$/;
const LISTENER_ARN = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener(-rule)?\/.+$/;

/**
 * @param input the input that chose the strategy: `strategy` when the step sets it, else `service` (the
 *   service's own strategy).
 */
export function verifyStrategy(
  request: RegisterTaskDefinitionRequest,
  service: Service,
  strategy: StrategyName,
  input: 'strategy' | 'service'
): StrategyCheck {
  const serviceConnect = serviceConnectOf(service);
  const check: StrategyCheck = { problems: portNames(request, service), refusals: [], notes: [] };
  if (strategy === 'ROLLING') return check;
  const balancers = service.loadBalancers ?? [];
  balancers.forEach((lb, i) => {
    for (const [message, hint] of loadBalancerProblems(lb))
      check.refusals.push(
        new DockyardError(`${strategy} needs ${message} ${where(service, lb, i)}.`, { input, hint })
      );
  });
  if (balancers.length > 0 || serviceConnect?.enabled) return check;
  const none = `the service '${service.serviceName}' has neither a load balancer nor Service Connect`;
  if (strategy === 'BLUE_GREEN')
    check.notes.push(
      `${none}: the BLUE_GREEN deployment runs without managed traffic shifting or test traffic.`
    );
  else
    check.refusals.push(
      new DockyardError(`${strategy} shifts production traffic in steps, and ${none} to shift it through.`, {
        input,
        hint: 'Give the service a load balancer with advancedConfiguration, or Service Connect; or use BLUE_GREEN or ROLLING.'
      })
    );
  return check;
}

/** Service Connect as the service's primary deployment runs it (DescribeServices has it per deployment). */
function serviceConnectOf(service: Service) {
  const primary = service.deployments?.find(d => d.status === 'PRIMARY') ?? service.deployments?.[0];
  return primary?.serviceConnectConfiguration;
}

function where(service: Service, lb: LoadBalancer, index: number): string {
  const name = lb.targetGroupArn?.split(':').pop() ?? lb.loadBalancerName ?? '';
  return `in the service '${service.serviceName}' loadBalancers[${index}] (${name})`;
}

/** What one load balancer lacks for managed traffic shifting: [what is needed, how to fix it]. */
function loadBalancerProblems(lb: LoadBalancer): [string, string][] {
  if (!lb.targetGroupArn)
    return [
      [
        'a target group: a Classic Load Balancer cannot shift traffic',
        'Move the service to an Application or Network Load Balancer target group.'
      ]
    ];
  const advanced = lb.advancedConfiguration;
  const fix = (member: string, what: string) =>
    `Set loadBalancers[].advancedConfiguration.${member} on the service (UpdateService): ${what}.`;
  if (!advanced)
    return [
      [
        'advancedConfiguration (alternate target group, production listener rule, role)',
        fix(
          'alternateTargetGroupArn, productionListenerRule and roleArn',
          'ECS moves traffic between the two target groups with them'
        )
      ]
    ];
  const problems: [string, string][] = [];
  const { alternateTargetGroupArn: alternate, productionListenerRule: rule, roleArn: role } = advanced;
  if (!alternate || !TARGET_GROUP_ARN.test(alternate))
    problems.push([
      `an alternate target group ARN${alternate ? `, not '${alternate}',` : ''}`,
      fix('alternateTargetGroupArn', 'the target group the new revision registers in')
    ]);
  else if (alternate === lb.targetGroupArn)
    problems.push([
      'an alternate target group other than the primary one',
      fix('alternateTargetGroupArn', 'a second target group of the same load balancer')
    ]);
  if (!rule || !LISTENER_ARN.test(rule))
    problems.push([
      `a production listener rule ARN${rule ? `, not '${rule}',` : ''}`,
      fix(
        'productionListenerRule',
        'the listener rule (a listener for a Network Load Balancer) production traffic comes through'
      )
    ]);
  if (!role || !ROLE_ARN.test(role))
    problems.push([
      `a role ARN${role ? `, not '${role}',` : ''}`,
      fix(
        'roleArn',
        'a role ECS assumes to change the listener rules (AmazonECSInfrastructureRolePolicyForLoadBalancers)'
      )
    ]);
  const test = advanced.testListenerRule;
  if (test !== undefined && !LISTENER_ARN.test(test))
    problems.push([
      `a test listener rule ARN, not '${test}',`,
      fix('testListenerRule', 'the listener rule test traffic comes through, or leave it out')
    ]);
  return problems;
}

/** Each Service Connect port name must name a port mapping of the task definition. */
function portNames(request: RegisterTaskDefinitionRequest, service: Service): FieldProblem[] {
  const serviceConnect = serviceConnectOf(service);
  if (!serviceConnect?.enabled) return [];
  const containers = request.containerDefinitions ?? [];
  const named = containers.flatMap(c => (c.portMappings ?? []).map(p => p.name).filter(n => n !== undefined));
  const first = containers.findIndex(c => (c.portMappings ?? []).length > 0);
  return (serviceConnect.services ?? [])
    .map(s => s.portName)
    .filter((name): name is string => name !== undefined && !named.includes(name))
    .map(name => ({
      path: first >= 0 ? containerPath(first, 'portMappings') : 'containerDefinitions',
      message: `the service '${service.serviceName}' serves Service Connect on port name '${name}', which no port mapping has${named.length > 0 ? ` (the names are: ${named.join(', ')})` : ''}.`,
      fix: `Name a port mapping "${name}" ("name": "${name}"), or change the service's Service Connect configuration.`
    }));
}
