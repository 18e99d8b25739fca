/**
 * The `resize` channel as a server reads it: kubectl writes one JSON object
 * per terminal size change (`{"Width":80,"Height":24}`, Go's json.Encoder,
 * so each followed by a newline), and nothing frames them but the braces,
 * so objects are cut out of the byte stream wherever its chunks split them.
 */
import { KubeError } from './errors.js';

/** A terminal's size in character cells. */
export interface KubeTerminalSize {
  readonly width: number;
  readonly height: number;
}

/** Objects longer than this are no terminal size: the peer is not speaking the protocol. */
const MAX_OBJECT = 4096;

/** Cuts complete top-level JSON objects out of text that arrives in pieces. */
class ObjectSplitter {
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(piece: string): string[] {
    this.text += piece;
    const out: string[] = [];
    for (let i = this.scanned; i < this.text.length; i++) {
      const c = this.text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
      } else if (c === '"') {
        this.inString = true;
      } else if (c === '{') {
        if (this.depth++ === 0) this.start = i;
      } else if (c === '}' && this.depth > 0) {
        if (--this.depth === 0) out.push(this.text.slice(this.start, i + 1));
      }
    }
    // Keep only an object still open; whitespace between objects goes.
    this.text = this.depth > 0 ? this.text.slice(this.start) : '';
    this.start = this.depth > 0 ? 0 : -1;
    this.scanned = this.text.length;
    if (this.text.length > MAX_OBJECT) throw new KubeError('a resize event is larger than any terminal size');
    return out;
  }
}

const isSize = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;

/**
 * The sizes written on a `resize` stream, in order; ends when the stream
 * does. A malformed event ends it with `KubeError`.
 */
export async function* readResizeEvents(readable: ReadableStream<Uint8Array>): AsyncGenerator<KubeTerminalSize> {
  const decoder = new TextDecoder();
  const splitter = new ObjectSplitter();
  const reader = readable.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const text of splitter.push(decoder.decode(value, { stream: true }))) {
        let parsed: { Width?: unknown; Height?: unknown };
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch (err) {
          throw new KubeError('a resize event is not JSON', { cause: err });
        }
        if (!isSize(parsed.Width) || !isSize(parsed.Height)) {
          throw new KubeError('a resize event has no Width and Height from 0 to 65535');
        }
        yield { width: parsed.Width, height: parsed.Height };
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
