/**
 * The sub-protocols of the Kubernetes streaming endpoints, as named in
 * `X-Stream-Protocol-Version`, and the kubelet's way of choosing one.
 */

/** Exec and attach: newest first, the order kubectl offers them in. */
export const EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;

/** Port-forward's only protocol. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** One of `EXEC_PROTOCOLS`. */
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

/** The header naming the offered (request) and chosen (101) protocol. */
export const PROTOCOL_HEADER = 'X-Stream-Protocol-Version';
/** The header of a 403 listing what the server accepts. */
export const ACCEPTED_PROTOCOLS_HEADER = 'X-Accepted-Stream-Protocol-Versions';

/**
 * The kubelet's choice: the first protocol of the client's, in the client's
 * order, that the server accepts; null when none is. A client that offers
 * nothing gets the oldest exec protocol (`channel.k8s.io`), as it would
 * from a kubelet that predates negotiation.
 */
export function negotiateProtocol(offered: readonly string[], accepted: readonly string[]): string | null {
  if (offered.length === 0) return accepted.includes('channel.k8s.io') ? 'channel.k8s.io' : null;
  return offered.find((p) => accepted.includes(p)) ?? null;
}

/** Exec protocol generation: 1 (`channel.k8s.io`) to 4. */
export function execGeneration(protocol: string): number {
  const m = /^v(\d)\.channel\.k8s\.io$/.exec(protocol);
  return m ? Number(m[1]) : 1;
}
