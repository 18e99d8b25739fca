/**
 * `spdy-streams/polyfilled`: the runtime-neutral entry for runtimes without
 * Web Streams (React Native's Hermes, older embedded engines, bundles that
 * strip the globals). It needs the optional peer dependency
 * `web-streams-polyfill`, whose classes the library then uses wherever the
 * globals are missing; with the globals present it behaves as `spdy-streams`.
 */
import './polyfill-install.js';

export * from './index.js';
export { installWebStreams, type WebStreamsClasses } from './base/web-streams.js';
