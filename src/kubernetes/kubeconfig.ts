/**
 * Reading a kubeconfig into a target: the context's cluster (server, CA,
 * `insecure-skip-tls-verify`, `tls-server-name`), its user (token, client
 * certificate and key) and namespace. `*-data` fields are base64; plain
 * path fields need a file reader, which Node's `loadKubeConfig` supplies.
 * Exec credential plugins and auth providers are not run: such a user is
 * refused with a clear error.
 */
import { InvalidArgumentError } from '../base/errors.js';
import type { KubeTarget } from './target.js';
import { parseYamlSubset, type YamlValue } from './yaml-subset.js';

/** What a kubeconfig gives a target (everything but the pod). */
export type KubeConfigTarget = Pick<KubeTarget, 'server' | 'namespace' | 'token' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;

/** Options of `parseKubeConfig` / `loadKubeConfig`. */
export interface KubeConfigOptions {
  /** The context to use; default the file's `current-context`. */
  readonly context?: string;
  /** Reads a file a path field names (relative paths are the caller's to resolve). */
  readonly readFile?: (path: string) => string;
}

type Obj = { [key: string]: YamlValue };

const isObj = (v: YamlValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`kubeconfig: ${key} should be a string`);
  return v;
}

function named(config: Obj, list: string, item: string, name: string): Obj {
  const entries = config[list];
  const found = Array.isArray(entries) ? entries.find((e) => isObj(e) && e.name === name) : undefined;
  if (!isObj(found) || !isObj(found[item])) throw new InvalidArgumentError(`kubeconfig: no ${item} named ${JSON.stringify(name)}`);
  return found[item];
}

function fromBase64(text: string): string {
  const binary = atob(text.replace(/\s+/g, ''));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** A `*-data` field, or the file its path sibling names. */
function pem(o: Obj, key: string, options: KubeConfigOptions): string | undefined {
  const data = str(o, `${key}-data`);
  if (data !== undefined) return fromBase64(data);
  const path = str(o, key);
  if (path === undefined) return undefined;
  if (!options.readFile) throw new InvalidArgumentError(`kubeconfig: ${key} names a file, and nothing here can read files`);
  return options.readFile(path);
}

/** The target a kubeconfig's context describes. */
export function parseKubeConfig(text: string, options: KubeConfigOptions = {}): KubeConfigTarget {
  const config = parseYamlSubset(text);
  if (!isObj(config)) throw new InvalidArgumentError('kubeconfig: not a mapping');
  const contextName = options.context ?? str(config, 'current-context');
  if (!contextName) throw new InvalidArgumentError('kubeconfig: no context given and no current-context');
  const context = named(config, 'contexts', 'context', contextName);
  const cluster = named(config, 'clusters', 'cluster', str(context, 'cluster') ?? '');
  const userName = str(context, 'user');
  const user = userName ? named(config, 'users', 'user', userName) : {};
  if (user.exec !== undefined && user.exec !== null) {
    throw new InvalidArgumentError('kubeconfig: exec credential plugins are not supported; give a token or a client certificate');
  }
  if (user['auth-provider'] !== undefined && user['auth-provider'] !== null) {
    throw new InvalidArgumentError('kubeconfig: auth providers are not supported; give a token or a client certificate');
  }
  const server = str(cluster, 'server');
  if (!server) throw new InvalidArgumentError(`kubeconfig: cluster of context ${JSON.stringify(contextName)} has no server`);
  let token = str(user, 'token');
  const tokenFile = str(user, 'tokenFile') ?? str(user, 'token-file');
  if (token === undefined && tokenFile !== undefined) {
    if (!options.readFile) throw new InvalidArgumentError('kubeconfig: tokenFile names a file, and nothing here can read files');
    token = options.readFile(tokenFile).trim();
  }
  const target: { -readonly [K in keyof KubeConfigTarget]: KubeConfigTarget[K] } = { server };
  const namespace = str(context, 'namespace');
  if (namespace) target.namespace = namespace;
  if (token) target.token = token;
  const ca = pem(cluster, 'certificate-authority', options);
  if (ca) target.ca = ca;
  const cert = pem(user, 'client-certificate', options);
  if (cert) target.cert = cert;
  const key = pem(user, 'client-key', options);
  if (key) target.key = key;
  if (cluster['insecure-skip-tls-verify'] === true) target.rejectUnauthorized = false;
  const servername = str(cluster, 'tls-server-name');
  if (servername) target.servername = servername;
  return target;
}
