/**
 * The WebSocket subprotocols of Kubernetes' streaming endpoints: the one
 * that names port-forward's tunnel, exec's `v5.channel.k8s.io`, and the one
 * that carries a bearer token where a client cannot set headers (a
 * browser's WebSocket).
 */

/** Port-forward's SPDY/3.1 session inside WebSocket binary messages (kubectl 1.31 and up). */
export const PORT_FORWARD_WEBSOCKET_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** Exec and attach over WebSocket: channel-numbered messages with a close signal (kubectl 1.30 and up offer only it there). */
export const EXEC_WEBSOCKET_PROTOCOL = 'v5.channel.k8s.io';

/** The API server reads a bearer token from an offered subprotocol with this prefix. */
export const BEARER_TOKEN_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/**
 * `token` as a subprotocol: the prefix and the token's UTF-8 bytes in
 * base64url without padding (a subprotocol is an HTTP token, so `=`, `+`
 * and `/` may not appear).
 */
export function bearerTokenProtocol(token: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(token)) binary += String.fromCharCode(byte);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return BEARER_TOKEN_PROTOCOL_PREFIX + base64url;
}
