/**
 * The Web Streams classes every stream of the library is made from, and the
 * bridges that let it read and write streams of another implementation.
 *
 * By default these are the runtime's globals. A runtime without them (React
 * Native's Hermes, older embedded engines, bundles that strip them) loads
 * `spdy-streams/polyfilled`, which calls `installWebStreams` once, before the
 * rest of the library is evaluated (the codec's stream classes extend
 * `TransformStream` when their module loads). The bindings are live: modules
 * import them under the global names, so `new ReadableStream(...)` reads the
 * installed class. This module imports nothing, so the default entry carries
 * no polyfill.
 *
 * Two implementations cannot pipe into each other (`pipeTo` checks that its
 * destination is one of its own), yet the library meets foreign streams: a
 * `Response.body` of the runtime's fetch (Node's keeps its own classes even
 * where the globals are replaced), a transport or a request body the
 * application made. Those are read and written through their own readers and
 * writers (`ownReadable`, `ownWritable`, `ownTransform`).
 */

/** The constructors `installWebStreams` takes. */
export interface WebStreamsClasses {
  readonly ReadableStream: typeof globalThis.ReadableStream;
  readonly WritableStream: typeof globalThis.WritableStream;
  readonly TransformStream: typeof globalThis.TransformStream;
  readonly ByteLengthQueuingStrategy: typeof globalThis.ByteLengthQueuingStrategy;
}

// `let` so that `installWebStreams` can replace them; importers see the change.
export let ReadableStream: typeof globalThis.ReadableStream = globalThis.ReadableStream;
export let WritableStream: typeof globalThis.WritableStream = globalThis.WritableStream;
export let TransformStream: typeof globalThis.TransformStream = globalThis.TransformStream;
export let ByteLengthQueuingStrategy: typeof globalThis.ByteLengthQueuingStrategy = globalThis.ByteLengthQueuingStrategy;

/**
 * Makes the library build its streams from `classes`. Called by the
 * polyfilled entry before the library's other modules load; calling it
 * later leaves classes already defined (the codec's) on the old ones.
 */
export function installWebStreams(classes: WebStreamsClasses): void {
  ReadableStream = classes.ReadableStream;
  WritableStream = classes.WritableStream;
  TransformStream = classes.TransformStream;
  ByteLengthQueuingStrategy = classes.ByteLengthQueuingStrategy;
}

/** Made by `family`: a check TypeScript does not narrow on, as every implementation has the same type. */
const isOurs = (value: unknown, family: abstract new (...args: never[]) => unknown): boolean => value instanceof family;

/** True for a readable stream of any implementation. */
export function isReadableStream(value: unknown): value is globalThis.ReadableStream {
  return value instanceof ReadableStream || typeof (value as { getReader?: unknown } | null)?.getReader === 'function';
}

/**
 * `source` as a stream of ours: itself when it already is one, otherwise a
 * stream that reads it on demand (cancelling ours cancels it).
 */
export function ownReadable<T>(source: globalThis.ReadableStream<T>): globalThis.ReadableStream<T> {
  if (isOurs(source, ReadableStream)) return source;
  const reader = source.getReader();
  return new ReadableStream<T>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/**
 * `sink` as a stream of ours: itself when it already is one, otherwise a
 * stream that writes into it, waiting for its backpressure before each chunk.
 */
export function ownWritable<T>(sink: globalThis.WritableStream<T>): globalThis.WritableStream<T> {
  if (isOurs(sink, WritableStream)) return sink;
  const writer = sink.getWriter();
  return new WritableStream<T>({
    async write(chunk) {
      await writer.ready;
      // A failed write surfaces at the next `ready` or at `close()`.
      writer.write(chunk).catch(() => undefined);
    },
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
}

/** A transform pair (e.g. the runtime's `DecompressionStream`) with both sides of ours. */
export function ownTransform<I, O>(pair: { readable: globalThis.ReadableStream<O>; writable: globalThis.WritableStream<I> }): TransformStream<I, O> {
  if (pair.readable instanceof ReadableStream && pair.writable instanceof WritableStream) return pair as TransformStream<I, O>;
  return { readable: ownReadable(pair.readable), writable: ownWritable(pair.writable) } as TransformStream<I, O>;
}
