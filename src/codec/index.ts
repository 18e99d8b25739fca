/**
 * `spdy-streams/codec`: SPDY frames, header blocks and their compression,
 * with no session state. See the README's "Codec" section.
 */
export * from '../base/constants.js';
export * from './frames.js';
export type { NameValue, Nv, NvInput } from './nv.js';
export { packHeaderBlock, unpackHeaderBlock, nv2to3, nv3to2, nameTo2, nameTo3 } from './header-block.js';
export { HeaderDeflater, HeaderInflater } from './zlib.js';
export { dictionaryFor } from './dictionary.js';
export { FrameEncoder, writeDataHead, type CodecOptions } from './frame-encoder.js';
export { FrameDecoder, InvalidFrame, UnknownFrame, type DecodedFrame } from './frame-decoder.js';
export { FrameDecoderStream, FrameEncoderStream } from './frame-streams.js';
export { getNpnProtocols, npnGetVersion, npnToken, selectNextProtocol } from './npn.js';
export { checkVersion } from './version.js';
export * from '../base/errors.js';
export {
  codecLimits, resolveConfig, type CodecLimits, type ConfigContext, type ConfigLayer, type HostTimers, type SpdyConfig,
  type ResolvedConfig,
} from '../base/config.js';
export { formatFrame, formatTimestamp, frameTypeName } from './trace.js';
export { concatBytes } from '../base/bytes.js';
