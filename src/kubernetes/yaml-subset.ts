/**
 * The part of YAML that kubeconfig files use, as kubectl writes them:
 * block mappings and sequences (a sequence may sit at its key's indent),
 * plain and quoted scalars, `{}` and `[]`, comments. Anchors, block
 * scalars and flow collections with content are refused.
 */
import { InvalidArgumentError } from '../base/errors.js';

/** A parsed value. */
export type YamlValue = string | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

function fail(line: Line | undefined, why: string): never {
  throw new InvalidArgumentError(`kubeconfig line ${line?.number ?? '?'}: ${why}`);
}

function stripComment(text: string): string {
  if (text.startsWith('#')) return '';
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (text[i - 1] === ' ' || text[i - 1] === '\t')) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

function scalar(raw: string, line: Line): YamlValue {
  const s = raw.trim();
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      fail(line, 'bad double-quoted string');
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) fail(line, 'bad single-quoted string');
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s === '{}') return {};
  if (s === '[]') return [];
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^[&*!|>{[]/.test(s)) fail(line, `unsupported YAML (${s[0]})`);
  return s;
}

/** Splits `key: value` (the key maybe quoted); null when the line is no mapping entry. */
function splitKey(text: string): [string, string] | null {
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^"'#][^:]*?)\s*:(?:\s+(.*)|$)/.exec(text);
  if (!m) return null;
  const key = m[1]!;
  const name = key.startsWith('"') ? (JSON.parse(key) as string) : key.startsWith("'") ? key.slice(1, -1) : key;
  return [name, m[2] ?? ''];
}

const isItem = (l: Line | undefined, indent: number): boolean =>
  l !== undefined && l.indent === indent && (l.text === '-' || l.text.startsWith('- '));

class Parser {
  private i = 0;
  constructor(private readonly lines: Line[]) {}

  parse(): YamlValue {
    if (this.lines.length === 0) return null;
    const v = this.node(this.lines[0]!.indent);
    if (this.i < this.lines.length) fail(this.lines[this.i], 'unexpected indentation');
    return v;
  }

  private node(indent: number): YamlValue {
    const l = this.lines[this.i];
    if (!l || l.indent < indent) return null;
    if (isItem(l, l.indent)) return this.sequence(l.indent);
    if (splitKey(l.text)) return this.mapping(l.indent);
    this.i++;
    return scalar(l.text, l);
  }

  private sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (isItem(this.lines[this.i], indent)) {
      const l = this.lines[this.i]!;
      const rest = l.text.slice(1).trimStart();
      if (rest === '') {
        this.i++;
        const next = this.lines[this.i];
        out.push(next && next.indent > indent ? this.node(next.indent) : null);
      } else {
        // "- key: value": the item's mapping starts on this line, at the column of "key".
        this.lines[this.i] = { indent: indent + (l.text.length - rest.length), text: rest, number: l.number };
        out.push(this.node(this.lines[this.i]!.indent));
      }
    }
    return out;
  }

  private mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    for (;;) {
      const l = this.lines[this.i];
      if (!l || l.indent !== indent || isItem(l, indent)) break;
      const kv = splitKey(l.text);
      if (!kv) fail(l, 'expected "key: value"');
      this.i++;
      const [key, value] = kv;
      if (value.trim() !== '') {
        out[key] = scalar(value, l);
        continue;
      }
      const next = this.lines[this.i];
      if (next && next.indent > indent) out[key] = this.node(next.indent);
      else if (isItem(next, indent)) out[key] = this.sequence(indent);
      else out[key] = null;
    }
    return out;
  }
}

/** Parses kubeconfig YAML (or JSON, which starts with `{`). */
export function parseYamlSubset(text: string): YamlValue {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text) as YamlValue;
    } catch (err) {
      throw new InvalidArgumentError('kubeconfig: bad JSON', { cause: err });
    }
  }
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, n) => {
    if (raw.includes('\t') && /^\s*\t/.test(raw)) fail({ indent: 0, text: raw, number: n + 1 }, 'tabs cannot indent YAML');
    const body = stripComment(raw.trimStart());
    if (body === '' || body === '---') return;
    lines.push({ indent: raw.length - raw.trimStart().length, text: body, number: n + 1 });
  });
  return new Parser(lines).parse();
}
