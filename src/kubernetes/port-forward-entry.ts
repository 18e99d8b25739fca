/** `kubePortForward`: the carrier chosen by `options.transport`. */
import { InvalidArgumentError } from '../base/errors.js';
import { kubePortForwardSpdy, type KubePortForward, type KubePortForwardOptions } from './port-forward.js';
import type { KubeTarget } from './target.js';

/** Opens a port-forward session to the target's pod. */
export function kubePortForward(target: KubeTarget, options: KubePortForwardOptions = {}): Promise<KubePortForward> {
  const kind = options.transport ?? 'spdy';
  if (kind === 'spdy') return kubePortForwardSpdy(target);
  return Promise.reject(new InvalidArgumentError(`unknown port-forward transport ${JSON.stringify(kind)}`));
}
