/** `kubePortForward`: the carrier chosen by `options.transport`. */
import { InvalidArgumentError } from '../base/errors.js';
import { kubePortForwardSpdy, type KubePortForward, type KubePortForwardOptions } from './port-forward.js';
import { kubePortForwardWebSocket } from './port-forward-websocket.js';
import type { KubeTarget } from './target.js';

/** Opens a port-forward session to the target's pod, over SPDY (the default) or WebSocket (`options.transport`). */
export function kubePortForward(target: KubeTarget, options: KubePortForwardOptions = {}): Promise<KubePortForward> {
  const kind = options.transport ?? 'spdy';
  if (kind === 'spdy') return kubePortForwardSpdy(target);
  if (kind === 'websocket') return kubePortForwardWebSocket(target, options);
  return Promise.reject(new InvalidArgumentError(`unknown port-forward transport ${JSON.stringify(kind)}`));
}
