/**
 * The ioredis clients a user may hand to cacheorm: ioredis 5 (RESP2 only) and ioredis 6 on RESP2, on
 * RESP3 with its default `legacy` reply mapping (RESP2 shapes) and on RESP3 with `replyMapping: 'resp3'`
 * (doubles as numbers, maps as objects, booleans as booleans). The suites that take a client (the Store
 * contract, the cluster suite, the error mapping) run once per factory, so every reply cacheorm reads is
 * read under each shape. The packages are the npm aliases `ioredis5` and `ioredis6` (devDependencies),
 * each its own copy, as a user's would be.
 *
 * Typed as the `Redis` / `Cluster` of the `ioredis` cacheorm builds against: the test code calls the
 * commands both majors share (the type tests check the real types of each major).
 */
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis6';

export interface ClientFactory {
  /** E.g. `ioredis 6 RESP3`: used in suite names. */
  name: string;
  major: 5 | 6;
  /** The protocol the client speaks (ioredis 5 only speaks RESP2). */
  protocol: 2 | 3;
  /** A standalone client to `url` (a URL, like `new Redis(url, options)`). */
  redis(url: string, options?: RedisOptions): Redis;
  /** A cluster client to `nodes`. */
  cluster(nodes: ClusterNode[], options?: ClusterOptions): Cluster;
}

/** The options each ioredis 6 variant adds to every client (and, for a cluster, to every node). */
function v6(name: string, protocol: 2 | 3, extra: Record<string, unknown>): ClientFactory {
  return {
    name,
    major: 6,
    protocol,
    redis: (url, options = {}) => new Redis6(url, { ...options, ...extra } as never) as unknown as Redis,
    cluster: (nodes, options = {}) =>
      new Cluster6(nodes as never, { ...options, redisOptions: { ...options.redisOptions, ...extra } } as never) as unknown as Cluster,
  };
}

/** Every (major, protocol, reply mapping) a user's client may have. */
export const clientFactories: readonly ClientFactory[] = [
  {
    name: 'ioredis 5',
    major: 5,
    protocol: 2,
    redis: (url, options = {}) => new Redis5(url, options as never) as unknown as Redis,
    cluster: (nodes, options = {}) => new Cluster5(nodes as never, options as never) as unknown as Cluster,
  },
  v6('ioredis 6 RESP2', 2, { protocol: 2 }),
  v6('ioredis 6 RESP3', 3, { protocol: 3 }),
  v6('ioredis 6 RESP3 resp3-mapping', 3, { protocol: 3, replyMapping: 'resp3' }),
];

/** The factory for ioredis 6 on RESP3 with `replyMapping: 'resp3'`: the shape furthest from RESP2. */
export const resp3Client = clientFactories[3]!;
