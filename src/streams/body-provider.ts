/**
 * A stream's body as the Session's data provider: the Session reads DATA
 * payloads from the stream's writable side.
 */
import { DataProvider, type Session } from '../session/index.js';
import type { ReadControl } from './outbound-half.js';
import type { StreamController } from './spdy-stream.js';

const readBody = (_s: Session, _id: number, length: number, readCtrl: ReadControl, source: unknown) =>
  (source as StreamController).read(length, readCtrl);

/** The data provider of a stream's body: its writable. */
export const bodyOf = (c: StreamController): DataProvider => new DataProvider<unknown>(c, readBody);
