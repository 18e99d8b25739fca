/**
 * Checks on what the application submits, made before anything is queued:
 * a refused call leaves the session as it was.
 */
import {
  MAX_STREAM_ID, MAX_WINDOW_SIZE, SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX, type WireVersion,
} from '../base/constants.js';
import type { SettingsEntry } from '../codec/frames.js';
import type { Nv } from '../codec/nv.js';
import { InvalidArgumentError } from '../base/errors.js';

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * A copy of `nv` with lower-cased names. Refuses, as spdylay does, a list
 * that is not one of pairs, an empty name, a name with a control or
 * non-ASCII character, and a value that is not a string (null and undefined
 * included).
 */
export function normalizeNv(nv: unknown): Nv {
  if (!Array.isArray(nv)) throw new InvalidArgumentError('nv must be an array of [name, value] pairs');
  return nv.map((pair: unknown, i): [string, string] => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new InvalidArgumentError(`nv[${i}] is not a [name, value] pair`);
    const [name, value] = pair as unknown[];
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`nv[${i}] has an empty name`);
    for (let j = 0; j < name.length; j++) {
      const c = name.charCodeAt(j);
      if (c < 0x20 || c > 0x7e) throw new InvalidArgumentError(`nv[${i}] name has a control or non-ASCII character`);
    }
    if (typeof value !== 'string') throw new InvalidArgumentError(`nv[${i}] ('${name}') has no string value`);
    return [name.toLowerCase(), value];
  });
}

export function checkPri(pri: unknown, lowest: number): number {
  if (!isInt(pri, 0, lowest)) throw new InvalidArgumentError(`priority must be an integer from 0 to ${lowest}`);
  return pri;
}

export function checkStreamId(id: unknown, min = 1): number {
  if (!isInt(id, min, MAX_STREAM_ID)) throw new InvalidArgumentError(`stream id must be an integer from ${min} to 2^31-1`);
  return id;
}

export function checkFlags(flags: unknown): number {
  if (!isInt(flags, 0, 0xff)) throw new InvalidArgumentError('flags must be an integer from 0 to 255');
  return flags;
}

export function checkStatusCode(code: unknown): number {
  if (!isInt(code, 0, 0xffffffff)) throw new InvalidArgumentError('status code must be an unsigned 32-bit integer');
  return code;
}

export function checkDelta(delta: unknown): number {
  if (!isInt(delta, 1, MAX_WINDOW_SIZE)) throw new InvalidArgumentError('window delta must be an integer from 1 to 2^31-1');
  return delta;
}

/**
 * A sorted copy of a SETTINGS entry list. Refuses ids outside 1..8 (1..7 in
 * SPDY/2), an id given twice, values that are not unsigned 32-bit, and an
 * INITIAL_WINDOW_SIZE over 2^31-1.
 */
export function checkSettings(iv: unknown, version: WireVersion): SettingsEntry[] {
  if (!Array.isArray(iv)) throw new InvalidArgumentError('iv must be an array of [id, flags, value] entries');
  const maxId = version === 2 ? SETTINGS_MAX - 1 : SETTINGS_MAX;
  const seen = new Set<number>();
  const out = iv.map((entry: unknown, i): SettingsEntry => {
    if (!Array.isArray(entry) || entry.length !== 3) throw new InvalidArgumentError(`iv[${i}] is not [id, flags, value]`);
    const [id, flags, value] = entry as unknown[];
    if (!isInt(id, 1, maxId)) throw new InvalidArgumentError(`iv[${i}] has an unknown settings id ${String(id)}`);
    if (seen.has(id)) throw new InvalidArgumentError(`settings id ${id} given twice`);
    seen.add(id);
    if (!isInt(flags, 0, 0xff)) throw new InvalidArgumentError(`iv[${i}] flags must be an integer from 0 to 255`);
    const max = id === SETTINGS_INITIAL_WINDOW_SIZE ? MAX_WINDOW_SIZE : 0xffffffff;
    if (!isInt(value, 0, max)) throw new InvalidArgumentError(`iv[${i}] value out of range`);
    return [id, flags, value];
  });
  return out.sort((a, b) => a[0] - b[0]);
}
