/**
 * A test CA and a server certificate for the Kubernetes API test server, made with the `openssl` CLI.
 * The server certificate names 127.0.0.1 and localhost, as an EKS endpoint certificate names the
 * endpoint's host. `untrusted` is a second chain from an unrelated CA: a client that pins `caPem` must
 * refuse it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Chain {
  /** The CA certificate (PEM) a client pins. */
  caPem: string;
  /** The server's certificate (PEM), signed by the CA. */
  certPem: string;
  keyPem: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh CA (`kubernetes`, as EKS names its cluster CA) and a server certificate it signs. */
export function makeChain(name = 'kubernetes'): Chain {
  const dir = mkdtempSync(join(tmpdir(), 'dockyard-kube-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(dir, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`
    ]);
    openssl(dir, [
      'req',
      ...ec,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=kube-apiserver'
    ]);
    writeFileSync(
      join(dir, 'ext.cnf'),
      [
        'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        'basicConstraints=critical,CA:FALSE'
      ].join('\n')
    );
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf'
    ]);
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return { caPem: read('ca.pem'), certPem: read('server.pem'), keyPem: read('server.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
