/**
 * Module resolution hooks that make the `ws` package look uninstalled, for
 * the child process of `no-ws.test.ts`: the server must then refuse
 * WebSocket upgrades in a way kubectl falls back from.
 */

/** What Node's `resolve` hook is handed after the specifier. */
interface ResolveContext {
  readonly parentURL?: string;
}

/** The next hook in Node's chain. */
type NextResolve = (specifier: string, context: ResolveContext) => Promise<unknown>;

/** Node's `resolve` hook: `ws` (and its subpaths) cannot be found; everything else resolves as usual. */
export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<unknown> {
  if (specifier === 'ws' || specifier.startsWith('ws/')) {
    throw Object.assign(new Error(`Cannot find package '${specifier}' (hidden for this test)`), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}
