export { EntityCodec, formatIssues, type DecodeResult } from './entity-codec.js';
