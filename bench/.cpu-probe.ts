// Temporary probe (not committed): client CPU per sequential get, raw vs cacheorm.
import { Redis } from 'ioredis';
import { createCache } from 'cacheorm';
import { PeerSession, peerSession, peerKey } from './peers-entity.js';
const url = process.env.PROBE_URL ?? 'redis://127.0.0.1:6390';
const N = 20000;
const raw = new Redis(url);
const cache = createCache({ redis: url, prefix: 'probe' + process.pid });
const repo = cache.getRepository(PeerSession);
const s = peerSession(1);
await repo.save(s);
await raw.set('probe:raw', JSON.stringify(s), 'PX', 600000);
const key = { tenantId: s.tenantId, id: s.id };
async function run(name: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 2000; i++) await f();
  const lat: number[] = [];
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < N; i++) { const a = performance.now(); await f(); lat.push(performance.now() - a); }
  const wall = performance.now() - t0; const c = process.cpuUsage(c0);
  lat.sort((a, b) => a - b);
  console.log(name.padEnd(14), 'cpu/op µs', ((c.user + c.system) / N).toFixed(2), 'wall/op µs', (wall * 1000 / N).toFixed(1), 'p50 µs', (lat[N >> 1]! * 1000).toFixed(1));
}
for (let r = 0; r < 3; r++) {
  await run('raw get+parse', async () => JSON.parse((await raw.get('probe:raw'))!));
  await run('cacheorm get', () => repo.get(key));
  await run('raw save', () => raw.set('probe:raw', JSON.stringify(s), 'PX', 600000));
  await run('cacheorm save', () => repo.save(s));
}
await repo.delete(key); await raw.del('probe:raw');
await cache.close(); await raw.quit();
