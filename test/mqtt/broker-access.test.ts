import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AclFile, PasswordFile, topicMatches } from '../../src/transports/broker-access.js';
import { disposer, tempDir } from '../support/mqtt.js';
import { makePasswordFile } from './tls-certs.js';

const cleanup = disposer();
afterEach(() => cleanup.run());

describe('PasswordFile (what mosquitto_passwd writes)', () => {
  it('verifies $7$ (PBKDF2-SHA512) and $6$ (SHA-512) entries, and nothing else', async () => {
    const path = join(tempDir(cleanup), 'passwd');
    makePasswordFile(path, { 'gw-1': 'first secret' });
    const pbkdf2 = readFileSync(path, 'utf8');
    makePasswordFile(path, { 'gw-2': 'second:secret' }, 'sha512');
    const sha512 = readFileSync(path, 'utf8');
    expect(pbkdf2).toMatch(/^gw-1:\$7\$/);
    expect(sha512).toMatch(/^gw-2:\$6\$/);
    const file = PasswordFile.parse(`# gateways\n\n${pbkdf2}${sha512}`, path);
    expect(file.size).toBe(2);
    expect(await file.verify('gw-1', Buffer.from('first secret'))).toBe(true);
    expect(await file.verify('gw-2', Buffer.from('second:secret'))).toBe(true);
    expect(await file.verify('gw-1', Buffer.from('first secreT'))).toBe(false);
    expect(await file.verify('gw-1', Buffer.from('second:secret'))).toBe(false);
    expect(await file.verify('gw-3', Buffer.from('first secret'))).toBe(false);
    expect(await file.verify('gw-1', Buffer.alloc(0))).toBe(false);
  });

  it('refuses plain-text passwords and malformed lines, naming the line but not its content', () => {
    expect(() => PasswordFile.parse('gw-1:hunter2\n', '/etc/passwd-file')).toThrow(/\/etc\/passwd-file line 1: .*mosquitto_passwd -U/);
    expect(() => PasswordFile.parse('gw-1:hunter2\n', 'f')).not.toThrow(/hunter2/);
    expect(() => PasswordFile.parse('# ok\nno colon here\n', 'f')).toThrow(/f line 2/);
    expect(() => PasswordFile.parse('a:$7$x$c2FsdA==$aGFzaA==\n', 'f')).toThrow(/iteration/);
  });
});

describe('AclFile (the documented subset of Mosquitto acl_file)', () => {
  const acl = AclFile.parse(
    [
      '# anonymous clients',
      'topic write DATA/PM/LOBBY',
      'user gw-1',
      'topic write DATA/PM/PANEL_LANTAI_1',
      'topic DATA/PM/PANEL_LANTAI_2',
      'topic read DATA/PM/PANEL_LANTAI_3',
      'user gw-all',
      'topic write DATA/PM/+',
      'topic deny DATA/PM/PANEL_SECRET',
      'pattern write DATA/PM/%u',
      'pattern write DATA/CLIENT/%c',
    ].join('\n'),
    'acl',
  );
  const gw1 = { kind: 'user', username: 'gw-1' } as const;

  it('lets an account publish only where its write or readwrite rules (or a pattern) say', () => {
    expect(acl.mayPublish(gw1, 'c1', 'DATA/PM/PANEL_LANTAI_1')).toBe(true);
    expect(acl.mayPublish(gw1, 'c1', 'DATA/PM/PANEL_LANTAI_2')).toBe(true);
    expect(acl.mayPublish(gw1, 'c1', 'DATA/PM/PANEL_LANTAI_3')).toBe(false);
    expect(acl.mayPublish(gw1, 'c1', 'DATA/PM/PANEL_LANTAI_4')).toBe(false);
    expect(acl.mayPublish(gw1, 'c1', 'DATA/PM/gw-1')).toBe(true);
    expect(acl.mayPublish(gw1, 'c1', 'DATA/CLIENT/c1')).toBe(true);
    expect(acl.mayPublish(gw1, 'c1', 'DATA/CLIENT/c2')).toBe(false);
    expect(acl.mayPublish({ kind: 'user', username: 'nobody' }, 'c', 'DATA/PM/PANEL_LANTAI_1')).toBe(false);
  });

  it('applies deny over write, the anonymous section to anonymous clients, and everything to the product', () => {
    const all = { kind: 'user', username: 'gw-all' } as const;
    expect(acl.mayPublish(all, 'c', 'DATA/PM/ANY')).toBe(true);
    expect(acl.mayPublish(all, 'c', 'DATA/PM/PANEL_SECRET')).toBe(false);
    expect(acl.mayPublish(all, 'c', 'DATA/PM/A/B')).toBe(false);
    expect(acl.mayPublish({ kind: 'anonymous' }, 'c', 'DATA/PM/LOBBY')).toBe(true);
    expect(acl.mayPublish({ kind: 'anonymous' }, 'c', 'DATA/PM/PANEL_LANTAI_1')).toBe(false);
    expect(acl.mayPublish({ kind: 'product' }, 'c', 'DATA/PM/PANEL_LANTAI_1')).toBe(true);
  });

  it('never widens a pattern with a username holding a wildcard or a level separator', () => {
    expect(acl.mayPublish({ kind: 'user', username: '+' }, 'c', 'DATA/PM/PANEL_LANTAI_1')).toBe(false);
    expect(acl.mayPublish({ kind: 'user', username: 'a/b' }, 'c', 'DATA/PM/a/b')).toBe(false);
  });

  it('refuses directives outside the subset and bad filters, naming the line', () => {
    expect(() => AclFile.parse('user a\ntopic write DATA/#/x\n', 'acl')).toThrow(/acl line 2/);
    expect(() => AclFile.parse('include_dir /etc\n', 'acl')).toThrow(/acl line 1/);
  });

  it('matches topics as MQTT does', () => {
    expect(topicMatches('DATA/PM/#', 'DATA/PM')).toBe(true);
    expect(topicMatches('DATA/+/X', 'DATA/PM/X')).toBe(true);
    expect(topicMatches('DATA/+', 'DATA/PM/X')).toBe(false);
    expect(topicMatches('#', '$SYS/broker')).toBe(false);
  });
});
