/**
 * Command-line parsing in the style of spdylay's tools: short and long
 * options, values attached (`-m3`, `--data=f`) or separate (`-m 3`), and
 * option names such as `-3.1` that `node:util`'s parser cannot express.
 */
import { InvalidArgumentError } from '../base/errors.js';

/** One option: its spellings, and whether it takes a value (repeatable: a list). */
export interface OptionSpec {
  readonly key: string;
  readonly names: readonly string[];
  readonly takes?: 'value' | 'list';
  readonly help: string;
}

export interface ParsedArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly positionals: readonly string[];
}

/** A command line that does not fit the options: an invalid argument, as the library's own are. */
export class UsageError extends InvalidArgumentError {}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const spec of specs) for (const name of spec.names) byName.set(name, spec);
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const positionals: string[] = [];
  const take = (spec: OptionSpec, value: string): void => {
    if (spec.takes === 'list') lists.set(spec.key, [...(lists.get(spec.key) ?? []), value]);
    else values.set(spec.key, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    let spec = byName.get(name);
    let attached: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (!spec && !arg.startsWith('--')) {
      // A short option with its value attached: -m3, -o/tmp/f.
      spec = byName.get(arg.slice(0, 2));
      if (spec?.takes) attached = arg.slice(2);
      else spec = undefined;
    }
    if (!spec) throw new UsageError(`unknown option ${name}`);
    if (!spec.takes) {
      if (attached !== undefined) throw new UsageError(`option ${name} takes no value`);
      flags.add(spec.key);
      continue;
    }
    if (attached === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option ${name} needs a value`);
      attached = argv[++i]!;
    }
    take(spec, attached);
  }
  return { flags, values, lists, positionals };
}

/** The options as a help text, one per line. */
export function formatOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => [s.names.join(', ') + (s.takes ? ' <ARG>' : ''), s.help] as const);
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  return rows.map(([n, h]) => `  ${n.padEnd(width)}${h}`).join('\n');
}

/** An integer option value, checked against a range. */
export function intValue(args: ParsedArgs, key: string, min: number, max: number): number | undefined {
  const text = args.values.get(key);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${key} must be an integer from ${min} to ${max}, got ${text}`);
  }
  return n;
}
