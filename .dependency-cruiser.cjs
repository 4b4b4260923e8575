/**
 * Import rules for src/, checked by `npm run check:imports` (part of `npm test`).
 *
 * Folders are layers; an arrow points from a folder to what it may import:
 *
 *   nestjs -> injection -> cache -> repository -> query -> store -> errors, diagnostics
 *   cli -> (any but nestjs)                                     \-> codec, keys, entity -> errors
 *   testing -> store, errors (the only folder that imports vitest; nothing imports it)
 *
 * errors/ and diagnostics/ are leaves: they import nothing of cacheorm's own. Inside store/, a driver
 * never imports another driver (memory <-> redis), and the standalone and cluster halves of the Redis
 * driver share only what sits in store/redis/ itself.
 */
const folder = (name) => `^src/${name}/`;
const notTo = (...names) => ({ path: `^src/(${names.join('|')})/` });

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'An import cycle (between files or folders) makes load order matter and layers meaningless.', from: {}, to: { circular: true } },
    { name: 'leaf-errors', severity: 'error', comment: 'errors/ imports nothing of ours.', from: { path: folder('errors') }, to: { path: '^src/', pathNot: folder('errors') } },
    { name: 'leaf-diagnostics', severity: 'error', comment: 'diagnostics/ imports nothing of ours.', from: { path: folder('diagnostics') }, to: { path: '^src/', pathNot: folder('diagnostics') } },
    { name: 'keys-layer', severity: 'error', from: { path: folder('keys') }, to: notTo('entity', 'codec', 'store', 'query', 'repository', 'cache', 'injection', 'nestjs', 'cli') },
    { name: 'entity-layer', severity: 'error', from: { path: folder('entity') }, to: notTo('codec', 'store', 'query', 'repository', 'cache', 'injection', 'nestjs', 'cli') },
    { name: 'codec-layer', severity: 'error', from: { path: folder('codec') }, to: notTo('store', 'query', 'repository', 'cache', 'injection', 'nestjs', 'cli') },
    { name: 'store-layer', severity: 'error', comment: 'The store speaks to Redis; it knows nothing of entities, queries or repositories.', from: { path: folder('store') }, to: notTo('entity', 'keys', 'codec', 'query', 'repository', 'cache', 'injection', 'nestjs', 'cli') },
    { name: 'query-layer', severity: 'error', from: { path: folder('query') }, to: notTo('repository', 'cache', 'injection', 'nestjs', 'cli') },
    { name: 'repository-layer', severity: 'error', from: { path: folder('repository') }, to: notTo('cache', 'injection', 'nestjs', 'cli') },
    { name: 'cache-layer', severity: 'error', from: { path: folder('cache') }, to: notTo('injection', 'nestjs', 'cli') },
    { name: 'injection-layer', severity: 'error', from: { path: folder('injection') }, to: notTo('nestjs', 'cli') },
    { name: 'nestjs-only-in-nestjs', severity: 'error', comment: 'NestJS is an optional peer: only cacheorm/nestjs may load it.', from: { pathNot: '^src/nestjs/' }, to: { path: '(^|/)node_modules/(@nestjs|rxjs)/' } },
    { name: 'vitest-only-in-testing', severity: 'error', comment: 'vitest is an optional peer: only cacheorm/testing may load it.', from: { pathNot: '^src/testing/' }, to: { path: '(^|/)node_modules/(vitest|@vitest)/' } },
    { name: 'testing-is-an-entry-point', severity: 'error', comment: 'cacheorm/testing loads vitest: nothing else of ours may import it.', from: { pathNot: '^src/testing/' }, to: { path: '^src/testing/' } },
    { name: 'testing-layer', severity: 'error', comment: 'The contract suite tests the Store interface only.', from: { path: folder('testing') }, to: notTo('entity', 'keys', 'codec', 'query', 'repository', 'cache', 'injection', 'nestjs', 'cli') },
    { name: 'memory-not-redis', severity: 'error', from: { path: '^src/store/memory/' }, to: { path: '^src/store/redis/' } },
    { name: 'redis-not-memory', severity: 'error', from: { path: '^src/store/redis/' }, to: { path: '^src/store/memory/' } },
    { name: 'standalone-not-cluster', severity: 'error', from: { path: '^src/store/redis/standalone/' }, to: { path: '^src/store/redis/cluster/' } },
    { name: 'cluster-not-standalone', severity: 'error', from: { path: '^src/store/redis/cluster/' }, to: { path: '^src/store/redis/standalone/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
  },
};
