/**
 * How a remote command's end is reported on the `error` channel: a
 * `metav1.Status` in JSON from v4.channel.k8s.io on, plain text (empty for
 * success) before it.
 */
import type { KubeStatus } from './errors.js';

/** The end of an exec or attach. */
export interface KubeExitStatus {
  /** The process's exit code; -1 when the failure was not the process's own (none is known). */
  readonly exitCode: number;
  readonly status: 'Success' | 'Failure';
  /** `NonZeroExitCode`, `InternalError`, ... (v4). */
  readonly reason?: string;
  readonly message?: string;
}

/** The v4 `reason` of a process that ended with a non-zero code. */
export const NON_ZERO_EXIT_CODE = 'NonZeroExitCode';

/** Reads what the `error` channel carried, for protocol generation `generation` (1-4). */
export function parseExitStatus(text: string, generation: number): KubeExitStatus {
  const trimmed = text.trim();
  if (trimmed === '') return { exitCode: 0, status: 'Success' };
  if (generation < 4) return { exitCode: -1, status: 'Failure', message: trimmed };
  let st: KubeStatus;
  try {
    st = JSON.parse(trimmed) as KubeStatus;
  } catch {
    return { exitCode: -1, status: 'Failure', message: trimmed };
  }
  if (st.status === 'Success') return { exitCode: 0, status: 'Success' };
  const cause = st.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : NaN;
  return {
    exitCode: st.reason === NON_ZERO_EXIT_CODE && Number.isFinite(code) ? code : -1,
    status: 'Failure',
    ...(st.reason !== undefined ? { reason: st.reason } : {}),
    ...(st.message !== undefined ? { message: st.message } : {}),
  };
}

/** What a server writes on the `error` channel for exit code `code` (v4 JSON; v1-v3 text, empty on success). */
export function formatExitStatus(code: number, generation: number, message?: string): string {
  if (generation < 4) {
    if (code === 0) return '';
    return message ?? `command terminated with non-zero exit code: exit status ${code}`;
  }
  if (code === 0) return JSON.stringify({ metadata: {}, status: 'Success' });
  if (code < 0) {
    return JSON.stringify({ metadata: {}, status: 'Failure', message: message ?? 'internal error', reason: 'InternalError' });
  }
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: message ?? `command terminated with non-zero exit code: exit status ${code}`,
    reason: NON_ZERO_EXIT_CODE,
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}
