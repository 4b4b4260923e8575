export { EntityCodec, formatIssues, type DecodeResult } from './entity-codec.js';
export { compileSuperjsonCodec, type SuperjsonCodec, type SuperjsonCodecOptions, type SuperjsonCodecStats } from './compiled-codec.js';
