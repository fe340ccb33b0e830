import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { memoryLogger } from '../../../core/index.js';
import type { FieldProblem } from './normalise.js';
import { service } from './testing/fixtures.js';
import { good } from './testing/verify-fixtures.js';
import { verifyTaskDefinition } from './verify.js';

const ecr = mockClient(ECRClient);
const clients = { ecrFor: () => new ECRClient({ region: 'us-east-1' }) };
beforeEach(() => {
  ecr.reset();
});

const verify = (request = good(), log = memoryLogger(), problems: FieldProblem[] = []) =>
  verifyTaskDefinition({ request, problems, origins: new Map() }, clients, { region: 'us-east-1' }, log);

describe('verifyTaskDefinition', () => {
  it('runs the local rules and the remote checks on the rendered request, and logs what passed', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{}] });
    const log = memoryLogger();
    const out = await verify(good(), log);
    expect(out).toEqual({
      problems: [],
      skipped: [],
      checked: ['image web:sha-1a2b3c4 exists in ECR'],
      notes: [],
      refusals: []
    });
    expect(log.lines).toEqual(['  ✓ image web:sha-1a2b3c4 exists in ECR', 'No problems found.']);
  });

  it('with problems in the rendered request, looks nothing up and reports them with the local ones', async () => {
    const request = good();
    request.containerDefinitions![1].essential = true;
    request.containerDefinitions![0].links = ['cache'];
    const missing = { path: 'family', message: 'is required and missing.', fix: "Add 'family'." };
    const out = await verify(request, memoryLogger(), [missing]);
    expect(out.problems.map(p => p.path)).toEqual([
      'family',
      'containerDefinitions[0].links[0]',
      'containerDefinitions[0].links'
    ]);
    expect(ecr.calls()).toHaveLength(0);
  });

  it('says each skipped remote check as a notice', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const log = memoryLogger();
    const out = await verify(good(), log);
    expect(out.skipped).toEqual(['image web:sha-1a2b3c4: skipped, ThrottlingException: slow down']);
    expect(log.lines).toContain('notice: image web:sha-1a2b3c4: skipped, ThrottlingException: slow down');
    expect(log.lines).toContain('No problems found (1 remote checks skipped).');
  });

  it("checks what the deployment's strategy needs of the service, naming the input that chose it", async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{}] });
    const log = memoryLogger();
    const out = await verifyTaskDefinition(
      { request: good(), problems: [], origins: new Map() },
      clients,
      { region: 'us-east-1', service: service(), strategy: { name: 'LINEAR', input: 'strategy' } },
      log
    );
    expect(out.refusals.map(r => r.describe())).toEqual([
      expect.stringMatching(/^Input 'strategy': LINEAR needs advancedConfiguration/)
    ]);
    expect(log.lines).not.toContain('No problems found.');
  });
});
