import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { carryOver, createStepDockerConfig, describeStepConfig, withoutRegistry } from './docker-config.js';

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
/** What docker/login-action writes for Docker Hub on a Linux runner: the credentials inline, base64 user:token. */
const HUB = { auth: Buffer.from('octocat:dckr_pat_0123').toString('base64') };

describe('carryOver', () => {
  // Config files as docker writes them (docs.docker.com, "docker login" and "Credential helpers").
  it.each<[string, unknown, object]>([
    ['nothing from no file', {}, { auths: {}, credHelpers: {} }],
    [
      'inline logins of other registries, as they are, and nothing else of them',
      { auths: { 'https://index.docker.io/v1/': { ...HUB, email: 'o@example.com' }, 'ghcr.io': {} } },
      { auths: { 'https://index.docker.io/v1/': HUB }, credHelpers: {} }
    ],
    [
      'credential helpers as they are, and no inline login for a registry a helper serves',
      { auths: { 'gcr.io': HUB }, credHelpers: { 'gcr.io': 'gcloud', [ECR]: 'ecr-login' } },
      { auths: {}, credHelpers: { 'gcr.io': 'gcloud', [ECR]: 'ecr-login' } }
    ],
    [
      'the default store as the helper of each registry recorded as kept there, never as the default',
      {
        credsStore: 'pass',
        auths: { 'https://index.docker.io/v1/': {}, 'ghcr.io': HUB },
        credHelpers: { 'ghcr.io': 'gh' }
      },
      { auths: {}, credHelpers: { 'ghcr.io': 'gh', 'https://index.docker.io/v1/': 'pass' } }
    ],
    [
      'proxies and the current context; no other setting',
      {
        proxies: { default: { httpProxy: 'http://proxy:3128', noProxy: '.internal' } },
        currentContext: 'remote',
        psFormat: 'table {{.ID}}',
        aliases: { builder: 'buildx' },
        HttpHeaders: { 'X-Meta': '1' }
      },
      {
        auths: {},
        credHelpers: {},
        proxies: { default: { httpProxy: 'http://proxy:3128', noProxy: '.internal' } },
        currentContext: 'remote'
      }
    ],
    ['nothing from a file that is not an object', ['auths'], { auths: {}, credHelpers: {} }]
  ])('takes %s', (_case, user, expected) => {
    expect(carryOver(user).config).toEqual(expected);
  });

  it('says what it took by registry and setting name, never by value', () => {
    const { carried } = carryOver({
      auths: { 'ghcr.io': HUB },
      credHelpers: { 'gcr.io': 'gcloud' },
      proxies: {},
      currentContext: 'ci'
    });
    expect(carried).toEqual({
      logins: ['ghcr.io'],
      helpers: ['gcr.io'],
      settings: ['proxies', 'context ci']
    });
    expect(JSON.stringify(carried)).not.toContain(HUB.auth);
  });
});

describe('withoutRegistry', () => {
  it("leaves no login or helper for the step's own registry, however the key is written", () => {
    const config = {
      auths: { [ECR]: HUB, [`https://${ECR}`]: HUB, 'ghcr.io': HUB },
      credHelpers: { [ECR]: 'ecr-login', 'gcr.io': 'gcloud' }
    };
    expect(withoutRegistry(config, ECR)).toEqual({
      auths: { 'ghcr.io': HUB },
      credHelpers: { 'gcr.io': 'gcloud' }
    });
  });
});

/** A runner's home docker directory (with a buildx plugin and a context) and an empty RUNNER_TEMP, in `root`. */
const layout = (root: string) => ({
  root,
  user: join(root, 'home', '.docker'),
  temp: join(root, 'runner-temp')
});

describe('createStepDockerConfig', () => {
  let { root, user, temp } = layout('');
  beforeEach(() => {
    ({ root, user, temp } = layout(mkdtempSync(join(tmpdir(), 'bp-docker-config-'))));
    mkdirSync(join(user, 'contexts', 'meta'), { recursive: true });
    mkdirSync(join(user, 'cli-plugins'));
    writeFileSync(join(user, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\n');
    mkdirSync(temp);
    writeFileSync(
      join(user, 'config.json'),
      JSON.stringify({ auths: { 'ghcr.io': HUB, [ECR]: HUB }, credsStore: 'desktop', currentContext: 'ci' })
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("makes a private directory under RUNNER_TEMP with the user's contexts and CLI plugins, and the env to use it", () => {
    const config = createStepDockerConfig({ DOCKER_CONFIG: user, RUNNER_TEMP: temp });
    expect(config.dir.startsWith(join(temp, 'dockyard-docker-'))).toBe(true);
    expect(statSync(config.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(config.dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'))).toEqual({
      auths: {},
      credHelpers: { 'ghcr.io': 'desktop', [ECR]: 'desktop' },
      currentContext: 'ci'
    });
    expect(readlinkSync(join(config.dir, 'contexts'))).toBe(join(user, 'contexts'));
    expect(readlinkSync(join(config.dir, 'cli-plugins'))).toBe(join(user, 'cli-plugins'));
    expect(config.env).toEqual({
      DOCKER_CONFIG: config.dir,
      BUILDX_CONFIG: join(user, 'buildx'),
      DOCKER_CERT_PATH: user
    });
    expect(describeStepConfig(config)).toBe(
      `Docker configuration of this step: ${config.dir} (removed when the step ends); from ${user}: ` +
        `credential helpers for ghcr.io, ${ECR}; context ci; contexts; cli-plugins.`
    );
  });

  it('keeps BUILDX_CONFIG and DOCKER_CERT_PATH the environment already sets', () => {
    const config = createStepDockerConfig({
      DOCKER_CONFIG: user,
      RUNNER_TEMP: temp,
      BUILDX_CONFIG: '/srv/buildx',
      DOCKER_CERT_PATH: '/srv/certs'
    });
    expect(config.env).toMatchObject({ BUILDX_CONFIG: '/srv/buildx', DOCKER_CERT_PATH: '/srv/certs' });
  });

  it('gives the registry to the step before its login, and removes everything it made but nothing it links to', () => {
    const config = createStepDockerConfig({ DOCKER_CONFIG: user, RUNNER_TEMP: temp });
    config.claim(ECR);
    expect(JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8')).credHelpers).toEqual({
      'ghcr.io': 'desktop'
    });
    config.remove();
    config.remove();
    config.claim(ECR);
    expect(readdirSync(temp)).toEqual([]);
    expect(existsSync(join(user, 'cli-plugins', 'docker-buildx'))).toBe(true);
    expect(lstatSync(join(user, 'contexts')).isDirectory()).toBe(true);
    // The user's own file is never written.
    expect(JSON.parse(readFileSync(join(user, 'config.json'), 'utf8')).credsStore).toBe('desktop');
  });

  it("says when the user's file cannot be read, without quoting it", () => {
    writeFileSync(join(user, 'config.json'), `{"auths": {"ghcr.io": {"auth": "${HUB.auth}"}`);
    const config = createStepDockerConfig({ DOCKER_CONFIG: user, RUNNER_TEMP: temp });
    expect(config.unreadable).toBe(`${join(user, 'config.json')}: not valid JSON`);
    expect(JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'))).toEqual({
      auths: {},
      credHelpers: {}
    });
    config.remove();
  });

  it('works from a user directory that does not exist', () => {
    const config = createStepDockerConfig({ DOCKER_CONFIG: join(root, 'none'), RUNNER_TEMP: temp });
    expect(readdirSync(config.dir)).toEqual(['config.json']);
    expect(describeStepConfig(config)).toMatch(/; nothing taken from .*none\.$/);
    config.remove();
  });
});
