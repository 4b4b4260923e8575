/**
 * An IdempotencyPlug-style store behind a node:http handler: a client sends `Idempotency-Key` with a
 * POST; the first request runs, and its response is stored; a retry with the same key and the same
 * request gets the stored response back instead of charging twice.
 *
 *   npx tsx examples/idempotency.ts                                  # embedded memory store
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/idempotency.ts # Redis (deletes what it wrote)
 *
 * The store's operations: insert-if-absent (`insert`, SET NX) with a request fingerprint, lookup (`get`),
 * update-if-present (`update`, SET XX KEEPTTL) with the response, and expiry (the TTL; Redis prunes).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createCache, defineEntity, type RepositoryOf, type Ttl } from 'cacheorm';

const IdempotentRequest = defineEntity({
  name: 'idempotent-request',
  key: ['key'],
  schema: z.object({
    key: z.string(),
    fingerprint: z.string(), // which request the key was first used with
    state: z.enum(['processing', 'done']),
    response: z.object({ status: z.int(), body: z.string() }).optional(),
  }),
  ttl: '24h',
});
type Requests = RepositoryOf<typeof IdempotentRequest>;

interface Reply {
  status: number;
  body: string;
}

const fingerprintOf = (req: IncomingMessage, body: string) =>
  createHash('sha256').update(`${req.method} ${req.url}\n${body}`).digest('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, { status, body }: Reply, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });

/**
 * Wraps `handle` so a POST with an `Idempotency-Key` runs at most once per key while the record lives
 * (`ttl`): retries replay the stored response; a key reused with another request is refused (422); a
 * retry while the first request still runs is refused (409, retry later).
 */
function idempotent(requests: Requests, handle: (body: string) => Promise<Reply>, ttl?: Ttl) {
  const options = ttl === undefined ? {} : { ttl };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || key === '') {
      return send(res, json(400, { error: 'Send a POST with an Idempotency-Key header.' }));
    }
    const body = await readBody(req);
    const fingerprint = fingerprintOf(req, body);

    // insert-if-absent: exactly one request wins the key, even when duplicates arrive at once.
    if (!(await requests.insert({ key, fingerprint, state: 'processing' }, options))) {
      const stored = await requests.get({ key });
      if (stored === undefined) return send(res, json(409, { error: 'Retry: the previous record just expired.' }));
      if (stored.fingerprint !== fingerprint) {
        return send(res, json(422, { error: 'This Idempotency-Key was used with a different request.' }));
      }
      if (stored.state === 'processing' || stored.response === undefined) {
        return send(res, json(409, { error: 'A request with this Idempotency-Key is still being processed.' }), { 'retry-after': '1' });
      }
      return send(res, stored.response, { 'idempotent-replayed': 'true' });
    }

    let reply: Reply;
    try {
      reply = await handle(body);
    } catch {
      await requests.delete({ key }); // nothing happened: let the client retry with the same key
      return send(res, json(500, { error: 'The request failed; retry it with the same Idempotency-Key.' }));
    }
    // update-if-present, keeping the record's remaining TTL (KEEPTTL). false: the record expired meanwhile.
    if (!(await requests.update({ key, fingerprint, state: 'done', response: reply }))) {
      console.warn(`  (record ${key} expired while its request ran; a retry will run it again)`);
    }
    send(res, reply);
  };
}

// ---- the demo: a payments endpoint behind the idempotency store ----
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const redisUrl = process.env.REDIS_URL;
const cache = createCache({ redis: redisUrl, prefix: 'idempotency-example' }); // no REDIS_URL: memory store
cache.on('error', (err) => console.error(`cache error ${err.code}: ${err.message}`));
const requests = cache.getRepository(IdempotentRequest);

let charges = 0;
async function charge(body: string): Promise<Reply> {
  const { amount } = JSON.parse(body) as { amount: number };
  await sleep(50); // the payment provider
  charges++;
  return json(201, { id: `pay_${charges}`, amount });
}

const RECORD_TTL = 2_000; // short for the demo; a real store keeps records for hours (entity ttl: 24h)
const server = createServer(idempotent(requests, charge, RECORD_TTL));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`idempotency store on the ${cache.store.kind} store, server on ${base}`);

async function post(label: string, key: string | undefined, amount: number): Promise<void> {
  const res = await fetch(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify({ amount }),
  });
  const replayed = res.headers.get('idempotent-replayed') ? ' (replayed)' : '';
  console.log(`  ${label.padEnd(38)} ${res.status} ${await res.text()}${replayed}`);
}

try {
  console.log('\n▸ first request runs, a retry replays its stored response');
  await post('POST key k-1 amount 42', 'k-1', 42);
  await post('retry key k-1 amount 42', 'k-1', 42);
  console.log(`  charges made: ${charges}`);

  console.log('\n▸ the same key with another request is refused');
  await post('POST key k-1 amount 99', 'k-1', 99);

  console.log('\n▸ two identical requests at once: one runs, one is told to retry');
  await Promise.all([post('POST key k-2 amount 7 (a)', 'k-2', 7), post('POST key k-2 amount 7 (b)', 'k-2', 7)]);
  await post('retry key k-2 amount 7', 'k-2', 7);
  console.log(`  charges made: ${charges}`);

  console.log('\n▸ no key: refused');
  await post('POST without a key', undefined, 1);

  console.log(`\n▸ expiry: records live ${RECORD_TTL} ms here, then the key can be used again`);
  await sleep(RECORD_TTL + 200);
  await post('POST key k-1 amount 42 after expiry', 'k-1', 42);
  console.log(`  charges made: ${charges}`);
} finally {
  await new Promise((resolve) => server.close(resolve));
  await requests.delete([{ key: 'k-1' }, { key: 'k-2' }]).catch(() => 0);
  await cache.close();
  console.log('\nserver and cache closed.');
}
