/** The version options shared by `spdycat` and `spdyd`. */
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, type ProtocolVersion } from '../base/constants.js';
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';

export const VERSION_OPTIONS: readonly OptionSpec[] = [
  { key: 'spdy2', names: ['-2', '--spdy2'], help: 'speak SPDY/2 only' },
  { key: 'spdy3', names: ['-3', '--spdy3'], help: 'speak SPDY/3 only' },
  { key: 'spdy3-1', names: ['-3.1', '--spdy3-1', '--spdy3.1'], help: 'speak SPDY/3.1 only' },
];

/** The version the flags ask for; undefined when none was given. */
export function versionFromFlags(args: ParsedArgs): ProtocolVersion | undefined {
  const chosen = [
    args.flags.has('spdy2') && PROTO_SPDY2,
    args.flags.has('spdy3') && PROTO_SPDY3,
    args.flags.has('spdy3-1') && PROTO_SPDY3_1,
  ].filter((v): v is ProtocolVersion => v !== false);
  if (chosen.length > 1) throw new UsageError('give at most one of -2, -3 and -3.1');
  return chosen[0];
}
