/**
 * The error of a Kubernetes streaming request the API server (or kubelet)
 * refused, or whose exchange broke the channel protocol.
 */
import { ERR_PROTO } from '../base/constants.js';
import { SpdyError, type SpdyErrorOptions } from '../base/errors.js';

/** A `metav1.Status` as the API server sends it (the fields this library reads). */
export interface KubeStatus {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly status?: 'Success' | 'Failure' | string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly kind?: string;
    readonly causes?: ReadonlyArray<{ readonly reason?: string; readonly message?: string; readonly field?: string }>;
  };
}

/** Options of `new KubeError`. */
export interface KubeErrorOptions extends SpdyErrorOptions {
  /** The HTTP status of the refusal; 0 when the failure came later. */
  status?: number;
  /** The parsed `metav1.Status`, the body text when it was not one, or null. */
  body?: KubeStatus | string | null;
  /** `X-Accepted-Stream-Protocol-Versions` of a 403: what the server would have spoken. */
  acceptedProtocols?: readonly string[];
}

/**
 * A refused upgrade (`status` is the HTTP status, `body` the server's
 * `metav1.Status` where it sent one) or a broken channel exchange
 * (`status` 0). `code` is `ERR_PROTO`.
 */
export class KubeError extends SpdyError {
  /** The HTTP status of the answer to the upgrade, or 0. */
  readonly status: number;
  /** The parsed `metav1.Status`, or the body's text, or null. */
  readonly body: KubeStatus | string | null;
  /** A 403's `X-Accepted-Stream-Protocol-Versions`; empty otherwise. */
  readonly acceptedProtocols: readonly string[];

  constructor(message?: string, options: KubeErrorOptions = {}) {
    super(message, options);
    this.status = options.status ?? 0;
    this.body = options.body ?? null;
    this.acceptedProtocols = options.acceptedProtocols ?? [];
  }

  static override defaultCode = ERR_PROTO;
  static override defaultMessage = 'Kubernetes streaming request failed';
}
