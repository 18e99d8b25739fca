/**
 * The certificate `spdyd` and `npm start` use when none is given: a
 * self-signed one for localhost, made with `openssl` at first use and kept in
 * the user's cache directory, or, where there is no `openssl`, the
 * development-only certificate shipped in the package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEV_ONLY_LOCALHOST_CERT, DEV_ONLY_LOCALHOST_KEY } from './dev-only-localhost-cert.js';

/** A certificate and its private key, both PEM. */
export interface LocalhostCertificate {
  readonly cert: string;
  readonly key: string;
  /** Where it came from: made now, made before, or the shipped development-only one. */
  readonly source: 'generated' | 'cached' | 'shipped';
}

function cacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'spdy-streams');
}

function generate(certFile: string, keyFile: string): boolean {
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '825',
        '-subj', '/CN=localhost/O=spdy-streams development only',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      ],
      { stdio: 'ignore', timeout: 30000 },
    );
    return true;
  } catch {
    return false;
  }
}

/** A self-signed localhost certificate and key (PEM). Never throws. */
export function localhostCertificate(options: { generate?: boolean } = {}): LocalhostCertificate {
  if (options.generate !== false) {
    try {
      const dir = cacheDir();
      const certFile = join(dir, 'localhost-cert.pem');
      const keyFile = join(dir, 'localhost-key.pem');
      const cached = existsSync(certFile) && existsSync(keyFile);
      if (!cached) mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (cached || generate(certFile, keyFile)) {
        return {
          cert: readFileSync(certFile, 'utf8'),
          key: readFileSync(keyFile, 'utf8'),
          source: cached ? 'cached' : 'generated',
        };
      }
    } catch {
      // An unwritable cache directory: fall through to the shipped certificate.
    }
  }
  return { cert: DEV_ONLY_LOCALHOST_CERT, key: DEV_ONLY_LOCALHOST_KEY, source: 'shipped' };
}
