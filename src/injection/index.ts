export { cacheName, DEFAULT_CACHE_NAME, getCacheToken, getRepositoryToken, type RepositoryOf, type Token } from './tokens.js';
