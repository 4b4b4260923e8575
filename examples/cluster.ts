/**
 * The same code against a Redis Cluster: give `createCache` the cluster's node URLs instead of one URL.
 *
 *   CLUSTER_URLS=redis://127.0.0.1:7000,redis://127.0.0.1:7001,redis://127.0.0.1:7002 node --import tsx examples/cluster.ts
 *
 * (A few nodes are enough: the client discovers the others.) Shows: keys with a hash tag, one tenant's
 * find reading one master, a batch and a read spread over every master (grouped by slot, no CROSSSLOT),
 * a find across tenants, and what runs where (`explain()`). Deletes what it wrote before it exits.
 * See docs/cluster.md for how to start a local cluster.
 */
import { z } from 'zod';
import { createCache, defineEntity, prefix } from 'cacheorm';

// One tenant's sessions share a hash slot ({acme}): one master holds them, a find on the tenant reads
// that master only, and the tenant's index set lives next to them.
const Session = defineEntity({
  name: 'session',
  key: ['tenantId', 'id'],
  schema: z.object({ tenantId: z.string(), id: z.string(), user: z.string(), device: z.string() }),
  ttl: '30m',
  find: 'index',
  hashTag: ['tenantId'],
});

// No hash tag: events spread over every slot of the cluster.
const Event = defineEntity({
  name: 'event',
  key: ['id'],
  schema: z.object({ id: z.int(), kind: z.string() }),
  ttl: '10m',
});

const show = (label: string, value: unknown) => console.log(`  ${label.padEnd(30)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);

const urls = (process.env.CLUSTER_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
if (urls.length === 0) {
  console.error('Set CLUSTER_URLS to the node URLs of a Redis Cluster, e.g. CLUSTER_URLS=redis://127.0.0.1:7000,redis://127.0.0.1:7001 (see docs/cluster.md).');
  process.exitCode = 2;
} else {
  const cache = createCache({ redis: urls, prefix: 'cluster-example' }); // the only line that differs from standalone Redis
  cache.on('error', (err) => console.error(`  (cache error event) ${err.code}: ${err.message}`));
  const sessions = cache.getRepository(Session);
  const events = cache.getRepository(Event);
  console.log(`cacheorm on a Redis Cluster (${urls.length} seed node${urls.length > 1 ? 's' : ''})`);
  try {
    console.log('\n▸ keys');
    show('key of acme/s1:', sessions.keyOf({ tenantId: 'acme', id: 's1' }));
    show('its index set:', sessions.indexKeyOf({ tenantId: 'acme', id: 's1' }));
    show('key of event 7:', events.keyOf({ id: 7 }));

    console.log('\n▸ writes: one batch over several tenants, one over every master');
    await sessions.save([
      { tenantId: 'acme', id: 's1', user: 'ann', device: 'laptop' },
      { tenantId: 'acme', id: 's2', user: 'ann', device: 'phone' },
      { tenantId: 'acme', id: 's3', user: 'bob', device: 'laptop' },
      { tenantId: 'globex', id: 's1', user: 'gil', device: 'tablet' },
    ]);
    const ids = Array.from({ length: 200 }, (_, i) => i);
    await events.save(ids.map((id) => ({ id, kind: id % 2 ? 'click' : 'view' })));
    show('sessions saved:', 4);
    show('events saved:', ids.length);

    console.log('\n▸ reads');
    const read = await events.getMany(ids.map((id) => ({ id })));
    show('getMany of 200 events:', `${read.filter(Boolean).length} found (one MGET per slot)`);
    const acme = await sessions.find({ tenantId: 'acme' }).toArray();
    show("acme's sessions:", acme.map((s) => `${s.user}@${s.device}`).sort());
    show("ann's sessions at acme:", (await sessions.find({ tenantId: 'acme', user: 'ann' }).toArray()).map((s) => s.device).sort());
    show('every tenant, session s1:', (await sessions.find({ id: 's1' }).toArray()).map((s) => s.tenantId).sort());
    show('clicks (SCAN every master):', await events.find({ kind: 'click' }).count());

    console.log('\n▸ what runs where');
    console.log(sessions.find({ tenantId: 'acme', id: prefix('s') }).explain().replace(/^/gm, '  '));
    console.log(events.find({ id: 7, kind: 'view' }).explain().replace(/^/gm, '  '));
    console.log(events.find({ kind: 'view' }).explain().replace(/^/gm, '  '));

    console.log('\n▸ revoke a tenant');
    show('acme sessions deleted:', await sessions.find({ tenantId: 'acme' }).delete());
    show('acme sessions left:', await sessions.find({ tenantId: 'acme' }).count());
  } finally {
    await sessions.find({ tenantId: prefix('') }).delete().catch(() => 0);
    await events.find({}).delete().catch(() => 0);
    await sessions.reindex().catch(() => 0); // drops the emptied tag index sets from the registry, which then goes too
    await cache.close();
    console.log('\ncache closed.');
  }
}
