import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../server.js';
import { makeSigningCert } from './signing-cert.js';
import { type RunningTokenServer, startTokenServer, type TokenServerOptions } from './token-server.js';
import { tempDir } from '../temp.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export type RegistryAuthMode = 'none' | 'htpasswd' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuthMode;
  /** username -> password, for htpasswd and token modes. */
  users?: Record<string, string>;
  /** `http.relativeurls`: Location headers without scheme and host. */
  relativeUrls?: boolean;
  /** Token mode: which actions a user gets per repository (default: what was asked). */
  grant?: TokenServerOptions['grant'];
}

export interface RunningRegistry {
  /** `127.0.0.1:<port>`: what a RegistryClient takes. */
  host: string;
  url: string;
  pid: number;
  auth: RegistryAuthMode;
  users: Record<string, string>;
  /** Token mode only. */
  tokenServer: RunningTokenServer | undefined;
  /** The generated config file and the storage root, under one temp dir. */
  configFile: string;
  storageDir: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Start Debian's docker-registry (Docker's distribution 2.8) on 127.0.0.1 with a generated
 * config and a temp storage dir: no auth, htpasswd (bcrypt via `htpasswd -B`) or token auth
 * (our token server, signing with a self-signed certificate the registry trusts).
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  if (!fs.existsSync(REGISTRY_BINARY)) throw new Error(`${REGISTRY_BINARY} is missing: run scripts/install-services.sh (as root) first`);
  const mode = opts.auth ?? 'none';
  const users = opts.users ?? (mode === 'none' ? {} : { ci: 'correct-horse' });
  const dir = tempDir('registry-');
  const storageDir = path.join(dir, 'storage');
  fs.mkdirSync(storageDir);
  let tokenServer: RunningTokenServer | undefined;
  const auth: string[] = [];
  if (mode === 'htpasswd') {
    const file = path.join(dir, 'htpasswd');
    for (const [user, password] of Object.entries(users)) {
      // -i: the password from stdin, not argv; -B: bcrypt, the only hash distribution accepts.
      execFileSync('htpasswd', [fs.existsSync(file) ? '-iB' : '-iBc', file, user], { input: password, stdio: ['pipe', 'pipe', 'pipe'] });
    }
    auth.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${file}`);
  } else if (mode === 'token') {
    const cert = makeSigningCert(dir);
    tokenServer = await startTokenServer({ service: 'test-registry', issuer: 'mlops-test-issuer', cert, users, grant: opts.grant });
    auth.push('auth:', '  token:', `    realm: ${tokenServer.realm}`, `    service: ${tokenServer.service}`, `    issuer: ${tokenServer.issuer}`, `    rootcertbundle: ${cert.certFile}`);
  }
  const configFile = path.join(dir, 'config.yml');
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    '  addr: 127.0.0.1:0',
    `  secret: ${crypto.randomBytes(16).toString('hex')}`,
    `  relativeurls: ${opts.relativeUrls ? 'true' : 'false'}`,
    ...auth,
    '',
  ].join('\n');
  fs.writeFileSync(configFile, config);
  const cleanup = async () => {
    await tokenServer?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    // startServer picks the port; the registry reads it from the environment (env execs, so the
    // PID stop() signals is the registry's own).
    const server = await startServer({ command: '/usr/bin/env', args: ['REGISTRY_HTTP_ADDR=127.0.0.1:{port}', REGISTRY_BINARY, 'serve', configFile], readyPath: '/v2/' });
    return {
      host: `127.0.0.1:${server.port}`,
      url: server.url,
      pid: server.pid,
      auth: mode,
      users,
      tokenServer,
      configFile,
      storageDir,
      output: server.output,
      stop: async () => {
        await server.stop();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
