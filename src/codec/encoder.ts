/**
 * The compiled encoder: from an entity's {@link SchemaNode} tree, one function that writes a value of
 * that schema as exactly the string `superjson.stringify` writes for it. Each typed node checks the
 * value it gets and hands anything unexpected to {@link encodeAny}, so a value that does not match
 * the schema is still written as superjson would, or refused with `BAIL`. The encoder is generated
 * code (encoder-codegen.ts) where `new Function` is allowed; these closures are its building blocks
 * for records, tuples and catchalls, and the whole encoder elsewhere. @internal
 */
import {
  EncodeState,
  encodeAny,
  encodeArray,
  encodeBigint,
  encodeDate,
  encodeEntries,
  encodeMap,
  encodeNumber,
  encodeSet,
  emit,
  finishEncoding,
  indexFirst,
  type Encoder,
} from './encode-values.js';
import { generateEncoder } from './encoder-codegen.js';
import type { FieldNode, SchemaNode } from './schema-nodes.js';
import { bail, isForbiddenKey, isIndexKey, isPlainObject, quote } from './wire.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Options of {@link compileEncoder}. @internal */
export interface EncoderOptions {
  /** Generate straight-line code with `new Function` (default): about twice as fast as closures. */
  codegen?: boolean;
}

/**
 * Compiles the encoder of an object schema. The function returns superjson's string for the value,
 * or throws `BAIL` for a value it leaves to superjson. Written for the schema's parse output: keys are
 * written in the schema's order (zod's output order) and keys the schema does not declare are left
 * out, as zod leaves them out. Generated code where `new Function` is allowed, closures elsewhere.
 * @internal
 */
export function compileEncoder(root: SchemaNode, options: EncoderOptions = {}): (value: unknown) => string {
  if (root.kind !== 'object') throw new TypeError('compileEncoder needs an object schema.');
  if (options.codegen !== false) {
    const generated = generateEncoder(root, compile);
    if (generated) return generated;
  }
  const encodeRoot = compileObject(root, true);
  return (value) => {
    const st = new EncodeState();
    return finishEncoding(st, '{"json":' + encodeRoot(value, st, '', ''), value);
  };
}

/** The closure encoder of one node. @internal */
export function compile(node: SchemaNode): Encoder {
  switch (node.kind) {
    case 'string':
      return (v, st, prefix, key) => (typeof v === 'string' ? quote(v) : encodeAny(v, st, prefix, key));
    case 'number':
      return (v, st, prefix, key) => (typeof v === 'number' ? encodeNumber(v, st, prefix, key) : encodeAny(v, st, prefix, key));
    case 'boolean':
      return (v, st, prefix, key) => (v === true ? 'true' : v === false ? 'false' : encodeAny(v, st, prefix, key));
    case 'bigint':
      return (v, st, prefix, key) => (typeof v === 'bigint' ? encodeBigint(v, st, prefix, key) : encodeAny(v, st, prefix, key));
    case 'date':
      return (v, st, prefix, key) => (v instanceof Date ? encodeDate(v, st, prefix, key) : encodeAny(v, st, prefix, key));
    case 'object':
      return compileObject(node, false);
    case 'array': {
      const element = compile(node.element);
      return (v, st, prefix, key) => (Array.isArray(v) ? encodeArray(v, st, prefix, key, element) : encodeAny(v, st, prefix, key));
    }
    case 'tuple': {
      const items = node.items.map(compile);
      const rest = node.rest ? compile(node.rest) : encodeAny;
      const element: Encoder = (v, st, prefix, key) => (items[key as number] ?? rest)(v, st, prefix, key);
      return (v, st, prefix, key) => (Array.isArray(v) ? encodeArray(v, st, prefix, key, element) : encodeAny(v, st, prefix, key));
    }
    case 'set': {
      const element = compile(node.element);
      return (v, st, prefix, key) => (v instanceof Set ? encodeSet(v, st, prefix, key, element) : encodeAny(v, st, prefix, key));
    }
    case 'map': {
      const k = compile(node.key);
      const value = compile(node.value);
      return (v, st, prefix, key) => (v instanceof Map ? encodeMap(v, st, prefix, key, k, value) : encodeAny(v, st, prefix, key));
    }
    case 'record': {
      const element = compile(node.element);
      const pick = (): Encoder => element;
      return (v, st, prefix, key) => (isPlainObject(v) ? encodeEntries(v, st, prefix + key + '.', pick) : encodeAny(v, st, prefix, key));
    }
    case 'any':
      return encodeAny;
  }
}

interface CompiledField extends FieldNode {
  readonly encode: Encoder;
  /** `constructor` or `prototype`: superjson refuses to write them. */
  readonly forbidden: boolean;
  /** An array-index key (`0`, `12`): its annotation goes before nested ones (see {@link indexFirst}). */
  readonly index: boolean;
}

function compileObject(node: Extract<SchemaNode, { kind: 'object' }>, root: boolean): Encoder {
  const fields: CompiledField[] = node.fields.map((f) => ({
    ...f,
    encode: compile(f.node),
    forbidden: isForbiddenKey(f.key),
    index: isIndexKey(f.key),
  }));
  if (node.catchall) return compileLooseObject(fields, compile(node.catchall), root);
  const count = fields.length;
  const indexed = fields.some((f) => f.index);
  return (v, st, prefix, key) => {
    if (!isPlainObject(v)) return root ? bail() : encodeAny(v, st, prefix, key);
    st.seen.push(v);
    const p = root ? '' : prefix + key + '.';
    let s = '{';
    let sep = '';
    let run = st.meta.length;
    for (let i = 0; i < count; i++) {
      const f = fields[i]!;
      const x = v[f.key];
      if (x === undefined || f.inherited) {
        if (!hasOwn.call(v, f.key)) continue;
      }
      if (f.forbidden) bail();
      const before = st.meta.length;
      s += sep + f.keyJson + (x === undefined ? undefinedField(st, p, f.segment) : f.encode(x, st, p, f.segment));
      if (indexed && f.index && st.meta.length !== before) run = indexFirst(st, run, before, x);
      sep = ',';
    }
    return s + '}';
  };
}

function undefinedField(st: EncodeState, prefix: string, segment: string): string {
  emit(st, prefix, segment, '["undefined"]');
  return 'null';
}

/** Objects with a catchall (`z.looseObject`, `.catchall()`): every own key, in the value's order. */
function compileLooseObject(fields: CompiledField[], catchall: Encoder, root: boolean): Encoder {
  const byKey = new Map(fields.map((f) => [f.key, f.encode]));
  const pick = (k: string): Encoder => byKey.get(k) ?? catchall;
  return (v, st, prefix, key) => {
    if (!isPlainObject(v)) return root ? bail() : encodeAny(v, st, prefix, key);
    return encodeEntries(v, st, root ? '' : prefix + key + '.', pick);
  };
}
