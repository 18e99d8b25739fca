/**
 * The one `config` object of API.md section 6: limits and switches, checked
 * when given. Each layer reads the keys that concern it.
 */
import { CLIENT, DEFAULT_WINDOW_SIZE, MAX_WINDOW_SIZE, type Side } from './codec/constants.js';
import { InvalidArgumentError } from './errors.js';

export interface SpdyConfig {
  /** Our per-stream receive window, advertised in SETTINGS. Default 65536. */
  initialWindowSize?: number;
  /** Our SPDY/3.1 connection receive window. Default 65536. */
  sessionWindowSize?: number;
  /** Streams the peer may open at once, advertised and enforced. Default 100. */
  maxConcurrentStreams?: number;
  /** Inflated bytes of one header block, checked while inflating. Default 65536. */
  maxHeaderBlockSize?: number;
  /** zlib level of our header blocks, 0 (stored blocks) to 9. Default: client 0, server 9. */
  headerCompressionLevel?: number;
  /** `false` for peers that do no flow control at all (Go's spdystream). Default true. */
  peerFlowControl?: boolean;
  /** Send WINDOW_UPDATE as data arrives (spdylay's way). Default true. */
  autoWindowUpdate?: boolean;
}

export type ResolvedConfig = Readonly<Required<SpdyConfig>>;

type Check = (value: unknown) => boolean;
const int = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const bool: Check = (v) => typeof v === 'boolean';

const CHECKS: Record<keyof SpdyConfig, [Check, string]> = {
  initialWindowSize: [int(1, MAX_WINDOW_SIZE), 'an integer from 1 to 2^31-1'],
  sessionWindowSize: [int(1, MAX_WINDOW_SIZE), 'an integer from 1 to 2^31-1'],
  maxConcurrentStreams: [int(0, 0xffffffff), 'an integer from 0 to 2^32-1'],
  maxHeaderBlockSize: [int(64, 0xffffff), 'an integer from 64 to 2^24-1'],
  headerCompressionLevel: [int(0, 9), 'an integer from 0 to 9'],
  peerFlowControl: [bool, 'a boolean'],
  autoWindowUpdate: [bool, 'a boolean'],
};

/** Checks a config object and fills in the defaults for `side`. */
export function resolveConfig(config: SpdyConfig | undefined, side: Side = CLIENT): ResolvedConfig {
  if (config !== undefined && (config === null || typeof config !== 'object')) {
    throw new InvalidArgumentError('config must be an object');
  }
  const given = (config ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    const rule = CHECKS[key as keyof SpdyConfig];
    if (!rule) throw new InvalidArgumentError(`unknown config key '${key}'`);
    const value = given[key];
    if (value !== undefined && !rule[0](value)) {
      throw new InvalidArgumentError(`config.${key} must be ${rule[1]}, got ${String(value)}`);
    }
  }
  const c = given as SpdyConfig;
  return Object.freeze({
    initialWindowSize: c.initialWindowSize ?? DEFAULT_WINDOW_SIZE,
    sessionWindowSize: c.sessionWindowSize ?? DEFAULT_WINDOW_SIZE,
    maxConcurrentStreams: c.maxConcurrentStreams ?? 100,
    maxHeaderBlockSize: c.maxHeaderBlockSize ?? 65536,
    headerCompressionLevel: c.headerCompressionLevel ?? (side === CLIENT ? 0 : 9),
    peerFlowControl: c.peerFlowControl ?? true,
    autoWindowUpdate: c.autoWindowUpdate ?? true,
  });
}
