export { CacheOrmError, withContext, type CacheOrmErrorCode, type CacheOrmErrorContext } from './base.js';
export {
  ConfigError,
  DecodeError,
  EntityDefinitionError,
  InvalidKeyError,
  InvalidQueryError,
  StoreError,
  StoreUnavailableError,
  ValidationError,
} from './errors.js';
export { ValueTooLargeError } from './value-too-large.js';
export { LoaderTimeoutError } from './loader-timeout.js';
export { redactCredentials } from './redact.js';
