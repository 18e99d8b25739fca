/** The spdylay captures in tests/fixtures/spdylay, read as bytes and lines. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(process.cwd(), 'tests', 'fixtures', 'spdylay');

/** The bytes of a `WIRE-*.hex` capture, from its "raw, plain hex" section. */
export function captureBytes(file: string): Uint8Array {
  const text = readFileSync(join(DIR, file), 'utf8');
  const section = text.split('## raw, plain hex')[1];
  if (section === undefined) throw new Error(`${file} has no plain hex section`);
  const hex = section.split('\n').slice(1).join('').replace(/\s+/g, '');
  return fromHex(hex);
}

/** The lines of a `TRACE-*.txt` capture, comment lines dropped. */
export function traceLines(file: string): string[] {
  return readFileSync(join(DIR, file), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
