import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files made by the openssl CLI for one test: a CA, a server certificate for 127.0.0.1, client certificates. */
export interface TestCerts {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** Signed by the CA. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** Self-signed: a certificate the CA never signed. */
  readonly strangerCertFile: string;
  readonly strangerKeyFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** Makes the files in `dir` (P-256 keys: quick to generate). */
export function makeTestCerts(dir: string): TestCerts {
  const key = (name: string) => openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name]);
  key('ca.key');
  openssl(dir, ['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '2', '-subj', '/CN=energy test CA', '-out', 'ca.crt']);
  const signed = (name: string, subject: string, extensions: string) => {
    key(`${name}.key`);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  };
  signed('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', '/CN=gateway-1', 'extendedKeyUsage=clientAuth\n');
  key('stranger.key');
  openssl(dir, ['req', '-x509', '-new', '-key', 'stranger.key', '-sha256', '-days', '2', '-subj', '/CN=stranger', '-out', 'stranger.crt']);
  const at = (name: string) => join(dir, name);
  return {
    caFile: at('ca.crt'),
    serverCertFile: at('server.crt'),
    serverKeyFile: at('server.key'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    strangerCertFile: at('stranger.crt'),
    strangerKeyFile: at('stranger.key'),
  };
}

/** A Mosquitto password file made by mosquitto_passwd itself. */
export function makePasswordFile(path: string, accounts: Record<string, string>, hash: 'sha512-pbkdf2' | 'sha512' = 'sha512-pbkdf2'): string {
  let first = true;
  for (const [username, password] of Object.entries(accounts)) {
    execFileSync('mosquitto_passwd', ['-H', hash, ...(first ? ['-c'] : []), '-b', path, username, password], { stdio: 'pipe' });
    first = false;
  }
  return path;
}
