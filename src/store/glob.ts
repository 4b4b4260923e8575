/**
 * Redis glob matching (the matcher behind `SCAN ... MATCH`, `KEYS` and `ZSCAN ... MATCH`), for stores that
 * filter keys themselves.
 *
 * Semantics, written from Redis' documented and observed behaviour and checked against a real server in
 * `test/store/glob.test.ts`:
 * - Matching is on UTF-8 **bytes**, like Redis: `?` matches one byte, so `é` (2 bytes) needs `??`.
 * - `*` matches any run of bytes, including an empty one and including `:`. `?` matches exactly one byte.
 * - `[abc]` matches one listed byte, `[^abc]` one byte not listed, `[a-z]` a range (`[z-a]` is the same
 *   range). `]` right after `[` (or `[^`) closes the class, so `[]` matches nothing and `[^]` any byte.
 * - `\x` matches `x` literally, outside and inside classes. A trailing `\` matches a `\`.
 * - A class without its closing `]` takes the rest of the pattern as members (`[ab` is `[ab]`); an `a-]`
 *   range at the end of a class is a range up to `]` and leaves the class unterminated, as in Redis.
 * - The pattern `*` matches every key (even the empty one, as SCAN and KEYS special-case it); any other
 *   pattern matches the empty key only when it is empty itself.
 * - Range bounds compare as signed bytes, as Redis does on x86-64 (C `char` is signed there): a range
 *   between an ASCII byte and a non-ASCII one wraps around (see {@link signedByte}). Redis built for ARM,
 *   where `char` is unsigned, differs on such ranges; cacheorm's own keys and patterns are ASCII-only
 *   (section 3 of the design), so this only concerns hand-written patterns with non-ASCII ranges.
 * - Like Redis (which stops recursing after 1000 nested `*`), a pattern whose 1001st `*` is not its last
 *   token matches nothing.
 *
 * The compiled matcher has no backtracking blow-up: it runs in O(key length × pattern length) at worst and
 * close to linear time for the patterns cacheorm builds.
 */

/** One compiled token: a 256-entry table of the bytes it accepts, or `STAR` for `*`. */
type Token = Uint8Array | typeof STAR;

const STAR = null;
const MAX_NESTED_STARS = 1000;
const BACKSLASH = 0x5c;
const encoder = new TextEncoder();

/** Accept-every-byte table of `?`, shared. */
const ANY_BYTE = new Uint8Array(256).fill(1);
/** One table per literal byte, created on first use and shared by every pattern. */
const literalTables: (Uint8Array | undefined)[] = [];

function literal(byte: number): Uint8Array {
  let table = literalTables[byte];
  if (!table) {
    table = new Uint8Array(256);
    table[byte] = 1;
    literalTables[byte] = table;
  }
  return table;
}

/** Scratch space for a key's UTF-8 bytes; matching is synchronous, so one buffer serves every matcher. */
let scratch = new Uint8Array(1024);

/** Writes the UTF-8 bytes of `key` into `scratch` and answers how many there are. */
function encodeKey(key: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (scratch.length < key.length * 3) scratch = new Uint8Array(Math.max(key.length * 3, scratch.length * 2));
  // ASCII (every key cacheorm writes) is copied as is; anything else goes through the UTF-8 encoder.
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit >= 0x80) return encoder.encodeInto(key, scratch).written;
    scratch[i] = unit;
  }
  return key.length;
}

/**
 * A byte as a C `char` on x86/x86-64, where Redis compares range bounds as signed values: bytes 0x80-0xFF
 * sort *before* ASCII in a range (`[\xC3-a]` spans 0xC3..0xFF and 0x00..0x61).
 */
function signedByte(byte: number): number {
  return byte >= 0x80 ? byte - 0x100 : byte;
}

/**
 * Parses the class starting at `pattern[start]` (the byte after `[`) and answers its table and the index
 * of the first byte after it.
 */
function parseClass(pattern: Uint8Array, start: number): [Uint8Array, number] {
  const table = new Uint8Array(256);
  let k = start;
  const negated = pattern[k] === 0x5e; // ^
  if (negated) k++;
  while (k < pattern.length) {
    const c = pattern[k]!;
    if (c === BACKSLASH && k + 1 < pattern.length) {
      table[pattern[k + 1]!] = 1;
      k += 2;
    } else if (c === 0x5d) {
      // ]
      k++;
      break;
    } else if (k + 2 < pattern.length && pattern[k + 1] === 0x2d) {
      // a-z (either order)
      const from = signedByte(c);
      const to = signedByte(pattern[k + 2]!);
      for (let v = Math.min(from, to); v <= Math.max(from, to); v++) table[v & 0xff] = 1;
      k += 3;
    } else {
      table[c] = 1;
      k++;
    }
  }
  if (negated) for (let b = 0; b < 256; b++) table[b] = table[b] ? 0 : 1;
  return [table, k];
}

function tokenize(pattern: Uint8Array): Token[] {
  const tokens: Token[] = [];
  let k = 0;
  while (k < pattern.length) {
    const c = pattern[k]!;
    if (c === 0x2a) {
      // * (runs of stars are one star)
      if (tokens.length === 0 || tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
      k++;
    } else if (c === 0x3f) {
      // ?
      tokens.push(ANY_BYTE);
      k++;
    } else if (c === BACKSLASH) {
      const escaped = k + 1 < pattern.length;
      tokens.push(literal(escaped ? pattern[k + 1]! : BACKSLASH));
      k += escaped ? 2 : 1;
    } else if (c === 0x5b) {
      // [
      const [table, next] = parseClass(pattern, k + 1);
      tokens.push(table);
      k = next;
    } else {
      tokens.push(literal(c));
      k++;
    }
  }
  return tokens;
}

/** Whether `tokens` match the first `n` bytes of `s`: greedy, resuming from the last `*` on a mismatch. */
function matchTokens(tokens: readonly Token[], s: Uint8Array, n: number): boolean {
  const m = tokens.length;
  if (n === 0) return m === 0;
  let i = 0;
  let j = 0;
  let starJ = -1;
  let starI = 0;
  while (i < n) {
    const token: Token | undefined = tokens[j];
    if (token === STAR) {
      starJ = j++;
      starI = i;
    } else if (token !== undefined && token[s[i]!] === 1) {
      i++;
      j++;
    } else if (starJ >= 0) {
      // Let the last star swallow one more byte and retry the rest from there. Earlier stars never need
      // to change: whatever they could absorb, the last star can absorb too.
      j = starJ + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (j < m && tokens[j] === STAR) j++;
  return j === m;
}

/**
 * Compiles a Redis glob once and answers a function that tells whether a key matches it, with exactly
 * the semantics of Redis' `SCAN ... MATCH` (see the module notes: byte-wise, `*` spans `:`, classes,
 * ranges, `\` escapes, Redis' handling of an unterminated `[` and a trailing `\`).
 *
 * @param pattern - a Redis glob, e.g. `cache:session:acme:*`.
 * @returns a matcher; calling it never throws and never backtracks exponentially.
 *
 * @example
 * const isAcmeSession = compileGlob('cache:session:acme:*');
 * isAcmeSession('cache:session:acme:42');   // true
 * isAcmeSession('cache:session:globex:42'); // false
 * compileGlob('id:[0-9]?')('id:7x');        // true
 * compileGlob('a\\*b')('a*b');              // true: `\*` is a literal star
 */
export function compileGlob(pattern: string): (key: string) => boolean {
  if (pattern === '*') return () => true;
  const tokens = tokenize(encoder.encode(pattern));
  const stars = tokens.reduce((count, token) => (token === STAR ? count + 1 : count), 0);
  if (stars > MAX_NESTED_STARS && !(stars === MAX_NESTED_STARS + 1 && tokens[tokens.length - 1] === STAR)) {
    return () => false;
  }
  if (tokens.length === 0) return (key) => key.length === 0;
  return (key) => {
    const length = encodeKey(key); // may replace `scratch` with a bigger buffer: read it afterwards
    return matchTokens(tokens, scratch, length);
  };
}
