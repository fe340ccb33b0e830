import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger, type MemoryLogger } from '../../../core/index.js';
import {
  DEFAULT_TEST_HEADER,
  hasTestTraffic,
  listenerOfRule,
  runSmokeTest,
  testTrafficEnv
} from './smoke-test.js';
import { loadBalancedService, REGION, serviceConnectService } from './testing/fixtures.js';

const elbMock = mockClient(ElasticLoadBalancingV2Client);
const elb = new ElasticLoadBalancingV2Client({ region: REGION });
// ARNs in the form of the ELB API reference's examples.
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2';
const RULE = `${LISTENER.replace(':listener/', ':listener-rule/')}/9683b2d02a6cabee`;
const DNS = 'web-1234567890.eu-west-1.elb.amazonaws.com';

const blueGreen = loadBalancedService;

beforeEach(() => {
  elbMock.reset();
});

function listener(protocol: string, port: number, conditions: object[] = []) {
  elbMock.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: RULE, Conditions: conditions }] });
  elbMock.on(DescribeListenersCommand, { ListenerArns: [LISTENER] }).resolves({
    Listeners: [{ ListenerArn: LISTENER, LoadBalancerArn: LB, Port: port, Protocol: protocol as never }]
  });
  elbMock
    .on(DescribeLoadBalancersCommand, { LoadBalancerArns: [LB] })
    .resolves({ LoadBalancers: [{ LoadBalancerArn: LB, DNSName: DNS }] });
}

describe('where test traffic goes', () => {
  it("names the listener of the rule as ELB's ARNs have it", () => {
    expect(listenerOfRule(RULE)).toBe(LISTENER);
  });

  it.each([
    ['HTTP', 8080, { DOCKYARD_TEST_URL: `http://${DNS}:8080` }],
    ['HTTPS', 443, { DOCKYARD_TEST_URL: `https://${DNS}` }],
    ['TCP', 9000, {}]
  ])('reads the test listener: %s on %s', async (protocol, port, url) => {
    listener(protocol, port);
    expect(await testTrafficEnv(blueGreen(RULE), elb)).toEqual({
      DOCKYARD_TEST_HOST: DNS,
      DOCKYARD_TEST_PORT: String(port),
      ...url
    });
  });

  it('says what the rule matches on: one host, one header value (not a pattern)', async () => {
    listener('HTTP', 80, [
      { Field: 'host-header', HostHeaderConfig: { Values: ['test.example.com'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['on'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }
    ]);
    expect(await testTrafficEnv(blueGreen(RULE), elb)).toMatchObject({
      DOCKYARD_TEST_URL: `http://${DNS}`,
      DOCKYARD_TEST_HOST_HEADER: 'test.example.com',
      DOCKYARD_TEST_HEADER_NAME: 'X-Canary',
      DOCKYARD_TEST_HEADER_VALUE: 'on'
    });
    listener('HTTP', 80, [{ Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } }]);
    expect(await testTrafficEnv(blueGreen(RULE), elb)).not.toHaveProperty('DOCKYARD_TEST_HOST_HEADER');
  });

  it("gives Service Connect's test header and client alias, the default header when the service names none", async () => {
    const connect = (testTrafficRules?: object) =>
      serviceConnectService('shop', [
        {
          portName: 'http',
          clientAliases: [{ port: 8080, dnsName: 'web.shop', testTrafficRules: testTrafficRules as never }]
        }
      ]);
    expect(
      await testTrafficEnv(connect({ header: { name: 'x-test', value: { exact: 'green' } } }), elb)
    ).toEqual({
      DOCKYARD_TEST_HEADER_NAME: 'x-test',
      DOCKYARD_TEST_HEADER_VALUE: 'green',
      DOCKYARD_TEST_SERVICE_URL: 'http://web.shop:8080'
    });
    expect(await testTrafficEnv(connect(), elb)).toMatchObject({
      DOCKYARD_TEST_HEADER_NAME: DEFAULT_TEST_HEADER
    });
    expect(hasTestTraffic(connect())).toBe(true);
    expect(elbMock.calls()).toHaveLength(0);
  });

  it('has nothing to give a service without a test route', async () => {
    expect(hasTestTraffic(blueGreen())).toBe(false);
    expect(await testTrafficEnv(blueGreen(), elb)).toEqual({});
  });
});

/** `node -e script`: node stands in for the user's command. */
const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];
const options = (signal = new AbortController().signal, timeoutMs = 60_000) => ({
  env: { DOCKYARD_TEST_URL: 'http://web.example.com:8080' },
  timeoutMs,
  signal
});

/** Calls `then` once the log shows `text`: the tests go by the command's progress, not by time. */
function when(log: MemoryLogger, text: string, then: () => void): void {
  const streamOf = log.untrustedStream;
  log.untrustedStream = () => {
    const stream = streamOf();
    return {
      write: chunk => {
        stream.write(chunk);
        if (log.lines.includes(`untrusted: ${text}`)) then();
      },
      end: () => stream.end()
    };
  };
}

describe('runSmokeTest', () => {
  it('passes on exit 0, with where test traffic goes in its environment, its words passed without a shell', async () => {
    const log = memoryLogger();
    const script = 'console.log(process.env.DOCKYARD_TEST_URL, process.argv[1])';
    const result = await runSmokeTest(node(script, '$HOME; rm -rf /'), options(), log);
    expect(result).toMatchObject({ status: 'PASSED', exitCode: 0 });
    expect(log.lines).toContain('untrusted: http://web.example.com:8080 $HOME; rm -rf /');
  });

  it('fails with the line that says why, its output printed as data', async () => {
    const log = memoryLogger();
    const script = [
      "console.log('::set-output name=status::COMPLETED')",
      "console.log('GET /health')",
      "console.error('curl: (22) The requested URL returned error: 503')",
      "console.log('    at check (/src/smoke.js:3:9)')",
      'process.exit(22)'
    ].join(';');
    const result = await runSmokeTest(node(script), options(), log);
    expect(result).toMatchObject({
      status: 'FAILED',
      exitCode: 22,
      cause: 'smoke test exited with code 22: curl: (22) The requested URL returned error: 503'
    });
    expect(result.tail).toContain('GET /health');
    expect(log.lines).toContain('untrusted: ::set-output name=status::COMPLETED');
  });

  it('stops at the time the step has left, keeping what it printed', async () => {
    const log = memoryLogger();
    const script = "console.log('waiting for green'); setInterval(() => {}, 1000)";
    const result = await runSmokeTest(node(script), options(undefined, 300), log);
    expect(result.status).toBe('TIMED_OUT');
    expect(result.cause).toMatch(
      /^smoke test did not finish within 300ms, the time the step had left: waiting for green$/
    );
  });

  it("stops when the step is cancelled, and says that, not the command's failure", async () => {
    const log = memoryLogger();
    const cancel = new AbortController();
    when(log, 'started', () => cancel.abort());
    const script = "console.log('started'); setInterval(() => {}, 1000)";
    const result = await runSmokeTest(node(script), options(cancel.signal), log);
    expect(result).toMatchObject({
      status: 'CANCELLED',
      cause: 'smoke test stopped: the step was cancelled'
    });
  });

  it('names a command that is not there', async () => {
    const result = await runSmokeTest(['dockyard-no-such-command', '--check'], options(), memoryLogger());
    expect(result.status).toBe('FAILED');
    expect(result.cause).toMatch(/^smoke test 'dockyard-no-such-command' is not on PATH: /);
  });
});
