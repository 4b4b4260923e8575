/**
 * Codec-only rows of the peer benchmark: the CPU cost of turning one {@link PeerSession} into the stored
 * string and back, without Redis.
 *
 *   JSON       `JSON.stringify` / `JSON.parse` (what raw, keyv and bentocache do; Dates come back as strings)
 *   superjson  `superjson.stringify` / `superjson.parse` (cacheorm's wire format, no validation)
 *   cacheorm   what `save` does per entity before the I/O (zod validation + serialization) and what `get`
 *              does after it (parse + zod validation + materialization): `EntityCodec`
 *
 * ns per entity, median over rounds of tight loops, after a warm-up loop. The rich-entity rows (Map, Set,
 * BigInt..., superjson vs the compiled codec) are bench/codec.ts's, run in a process of its own.
 */
import superjson from 'superjson';
import { getEntityMetadata } from 'cacheorm';
import { EntityCodec } from '../src/codec/index.js';
import { PeerSession, peerSession, type PeerSessionData } from './peers-entity.js';
import { collectGarbage, median, round, timeLoop } from './support.js';

export interface CodecRows {
  /** ns to encode one entity. */
  encodeNs: { json: number; superjson: number; cacheorm: number };
  /** ns to decode one entity. */
  decodeNs: { json: number; superjson: number; cacheorm: number };
}

type Row = keyof CodecRows['encodeNs'];

/** Measures the codec rows: `iterations` calls per (row, round), `rounds` rounds in rotating order. */
export function measureCodecRows(iterations: number, rounds: number): CodecRows {
  const codec = new EntityCodec<PeerSessionData>(getEntityMetadata(PeerSession));
  const sessions = Array.from({ length: 64 }, (_, i) => peerSession(i));
  const json = sessions.map((s) => JSON.stringify(s));
  const wire = sessions.map((s) => codec.serialize(codec.validate(s, 'save')));
  const key = 'bench:peersession:t:s';
  const cases: Record<`${'encode' | 'decode'}:${Row}`, () => number> = {
    'encode:json': () => timeLoop(sessions, iterations, (s) => JSON.stringify(s)),
    'encode:superjson': () => timeLoop(sessions, iterations, (s) => superjson.stringify(s)),
    'encode:cacheorm': () => timeLoop(sessions, iterations, (s) => codec.serialize(codec.validate(s, 'save'))),
    'decode:json': () => timeLoop(json, iterations, (s) => JSON.parse(s) as unknown),
    'decode:superjson': () => timeLoop(wire, iterations, (s) => superjson.parse(s)),
    'decode:cacheorm': () =>
      timeLoop(wire, iterations, (s) => {
        const decoded = codec.decode(s, key);
        if (!decoded.ok) throw decoded.error;
        return decoded.value;
      }),
  };
  const names = Object.keys(cases) as (keyof typeof cases)[];
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof cases, number[]>;
  for (const n of names) cases[n](); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(k + r) % names.length]!;
      collectGarbage();
      samples[n].push(cases[n]());
    }
  }
  const ns = (n: keyof typeof cases) => round(median(samples[n]), 0);
  return {
    encodeNs: { json: ns('encode:json'), superjson: ns('encode:superjson'), cacheorm: ns('encode:cacheorm') },
    decodeNs: { json: ns('decode:json'), superjson: ns('decode:superjson'), cacheorm: ns('decode:cacheorm') },
  };
}
