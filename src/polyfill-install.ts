/**
 * Installs web-streams-polyfill's classes as the library's Web Streams when
 * the runtime lacks any of the three globals; where they all exist, the
 * runtime's own stay in use. Imported first by the `polyfilled` entry, so
 * that it runs before the library's other modules are evaluated.
 */
import {
  ByteLengthQueuingStrategy, ReadableStream, TransformStream, WritableStream,
} from 'web-streams-polyfill';
import { installWebStreams, type WebStreamsClasses } from './base/web-streams.js';

const g = globalThis as Partial<WebStreamsClasses>;
if (typeof g.ReadableStream !== 'function' || typeof g.WritableStream !== 'function' || typeof g.TransformStream !== 'function') {
  // All four from one implementation: streams of two cannot be piped into each other.
  installWebStreams({ ReadableStream, WritableStream, TransformStream, ByteLengthQueuingStrategy } as unknown as WebStreamsClasses);
}
