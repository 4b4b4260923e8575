/**
 * The compiled decoder: reads the superjson text of an entity without parsing its `meta`.
 *
 * It parses only the `json` part, converts in place what the schema says should be a `Date`, bigint,
 * `Set`, `Map`, `undefined` or special number, and checks, conversion by conversion, that the text's
 * `meta.values` holds exactly the annotation superjson writes for it, in superjson's order, and nothing
 * else. Then `superjson.parse` would apply exactly those conversions, so the result is the same. Any
 * other text (another key order, referential equalities, a value of another type...) throws
 * `BAIL` and is read by the general path.
 *
 * The walk is generated as JavaScript source per schema (about twice as fast as composed closures).
 * Only the schema goes into the source: keys and paths as `JSON.stringify` literals, never data. Where
 * `new Function` is not allowed, there is no compiled decoder. @internal
 */
import { entryText, lit, type Part } from './codegen-paths.js';
import { parseIsoDate } from './iso-date.js';
import type { SchemaNode } from './schema-nodes.js';
import { bail, isForbiddenKey, pathSegment } from './wire.js';

interface Scope {
  /** Suffix of the scope's `f<id>` variable: the next entry is the scope's first. */
  readonly id: number;
}

const HELPERS = { bail, parseIsoDate, isForbiddenKey, pathSegment, BIGINT: /^-?[0-9]+$/, hasOwn: Object.prototype.hasOwnProperty };

/**
 * Compiles the decoder of an object schema: `superjson.parse(text)` for the texts it accepts (those
 * written for the schema's values, keys in the schema's order), `BAIL` for the others; or
 * `undefined` where code cannot be generated. @internal
 */
export function compileDecoder(root: SchemaNode): ((text: string) => unknown) | undefined {
  if (root.kind !== 'object') throw new TypeError('compileDecoder needs an object schema.');
  const source = decoderSource(root);
  try {
    return new Function('h', source)(HELPERS) as (text: string) => unknown;
  } catch {
    return undefined; // no eval here (a CSP): the general reader does the work
  }
}

/** The generated source (exported for tests and for reading). @internal */
export function decoderSource(root: SchemaNode): string {
  const gen = new Generator();
  const scope: Scope = { id: 0 };
  const walk = gen.node(root, 'json', () => '', [], scope, true);
  return `'use strict';
const { bail, parseIsoDate, isForbiddenKey, pathSegment, BIGINT, hasOwn } = h;
// Lengths of the meta parts of the last texts read: texts of one entity mostly share a few, so they
// are tried before searching. Any split at which the json parses and the meta checks out is a right one.
const metas = [0, 0, 0, 0];
let next = 0;
function metaAt(text) {
  for (let i = 0; i < 4; i++) {
    const at = text.length - metas[i];
    if (at > 8 && text.charCodeAt(at + 2) === 109 && text.indexOf(',"meta":{"values":{', at) === at) return at;
  }
  const at = text.lastIndexOf(',"meta":{"values":{');
  if (at !== -1) {
    metas[next] = text.length - at;
    next = (next + 1) & 3;
  }
  return at;
}
return function decode(text) {
  if (text.indexOf('{"json":') !== 0 || text.charCodeAt(text.length - 1) !== 125) bail();
  const at = metaAt(text);
  let json;
  try { json = JSON.parse(at === -1 ? text.slice(8, -1) : text.slice(8, at)); } catch { bail(); }
  let pos = at === -1 ? -1 : at + 18, f0 = true;
${walk}
  if (at !== -1 && (f0 || pos + 9 !== text.length || text.indexOf('},"v":1}}', pos) !== pos)) bail();
  return json;
};`;
}

/** Whether a node never converts anything (strings, booleans, values told apart only by meta). */
function isInert(node: SchemaNode): boolean {
  if (node.nullMeans === 'undefined') return false;
  switch (node.kind) {
    case 'string':
    case 'boolean':
    case 'any':
      return true;
    case 'object':
      return node.fields.every((f) => isInert(f.node)) && (!node.catchall || isInert(node.catchall));
    case 'array':
    case 'record':
      return isInert(node.element);
    case 'tuple':
      return node.items.every(isInert) && (!node.rest || isInert(node.rest));
    default:
      return false;
  }
}

class Generator {
  private counter = 0;

  private fresh(name: string): string {
    return `${name}${++this.counter}`;
  }

  /**
   * Code that converts the JSON value in variable `v` (writing the result with `set(expr)`) and checks
   * its annotations against the text. `path` is the value's path inside `scope`.
   */
  node(node: SchemaNode, v: string, set: (expr: string) => string, path: Part[], scope: Scope, root = false): string {
    if (isInert(node)) return '';
    const inner = this.value(node, v, set, path, scope, root);
    if (node.nullMeans === 'null') return inner;
    return `if (${v} === null) { ${this.entry(path, '["undefined"]', scope)} ${set('undefined')} } else { ${inner} }`;
  }

  private value(node: SchemaNode, v: string, set: (expr: string) => string, path: Part[], scope: Scope, root: boolean): string {
    switch (node.kind) {
      case 'string':
      case 'boolean':
      case 'any':
        return '';
      case 'number':
        return `if (typeof ${v} === 'string') { ${this.entry(path, '["number"]', scope)} ${set(`Number(${v})`)} }`;
      case 'bigint':
        return `if (typeof ${v} === 'string' && BIGINT.test(${v})) { ${this.entry(path, '["bigint"]', scope)} ${set(`BigInt(${v})`)} }`;
      case 'date':
        return `if (typeof ${v} === 'string') { ${this.entry(path, '["Date"]', scope)} ${set(`parseIsoDate(${v})`)} }`;
      case 'object':
        return this.object(node, v, path, scope, root);
      case 'array': {
        const i = this.fresh('i');
        const c = this.fresh('c');
        const body = this.node(node.element, c, (e) => `${v}[${i}] = ${e};`, [...path, { expr: `'' + ${i}` }], scope);
        return `if (Array.isArray(${v})) for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${c} = ${v}[${i}]; ${body} }`;
      }
      case 'tuple': {
        const parts = node.items.map((item, index) => {
          const c = this.fresh('c');
          const body = this.node(item, c, (e) => `${v}[${index}] = ${e};`, [...path, { text: String(index) }], scope);
          return body === '' ? '' : `if (${v}.length > ${index}) { const ${c} = ${v}[${index}]; ${body} }`;
        });
        if (node.rest) {
          const i = this.fresh('i');
          const c = this.fresh('c');
          const body = this.node(node.rest, c, (e) => `${v}[${i}] = ${e};`, [...path, { expr: `'' + ${i}` }], scope);
          if (body !== '') parts.push(`for (let ${i} = ${node.items.length}; ${i} < ${v}.length; ${i}++) { const ${c} = ${v}[${i}]; ${body} }`);
        }
        return `if (Array.isArray(${v})) { ${parts.join(' ')} }`;
      }
      case 'record': {
        const k = this.fresh('k');
        const c = this.fresh('c');
        const body = this.node(node.element, c, (e) => `${v}[${k}] = ${e};`, [...path, { expr: `pathSegment(${k})` }], scope);
        return `if (${isObject(v)}) for (const ${k} of Object.keys(${v})) { if (isForbiddenKey(${k})) bail(); const ${c} = ${v}[${k}]; ${body} }`;
      }
      case 'set': {
        const i = this.fresh('i');
        const c = this.fresh('c');
        const inner: Scope = { id: ++this.counter };
        const body = this.node(node.element, c, (e) => `${v}[${i}] = ${e};`, [{ expr: `'' + ${i}` }], inner);
        const loop = body === '' ? '' : `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${c} = ${v}[${i}]; ${body} }`;
        return `if (Array.isArray(${v})) { ${this.container(path, 'set', scope, inner, loop)} ${set(`new Set(${v})`)} }`;
      }
      case 'map': {
        const i = this.fresh('i');
        const e = this.fresh('e');
        const k = this.fresh('c');
        const x = this.fresh('c');
        const inner: Scope = { id: ++this.counter };
        const row = { expr: `'' + ${i}` };
        const keyCode = this.node(node.key, k, (s) => `${e}[0] = ${s};`, [row, { text: '0' }], inner);
        const valueCode = this.node(node.value, x, (s) => `${e}[1] = ${s};`, [row, { text: '1' }], inner);
        // superjson's Map would also take `{0: k, 1: v}` objects as entries: leave those to superjson.
        const loop = `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; if (!Array.isArray(${e})) bail(); const ${k} = ${e}[0]; ${keyCode} const ${x} = ${e}[1]; ${valueCode} }`;
        return `if (Array.isArray(${v})) { ${this.container(path, 'map', scope, inner, loop)} ${set(`new Map(${v})`)} }`;
      }
    }
  }

  private object(node: Extract<SchemaNode, { kind: 'object' }>, v: string, path: Part[], scope: Scope, root: boolean): string {
    const at = (key: Part): Part[] => (root ? [key] : [...path, key]);
    if (node.catchall) {
      const k = this.fresh('k');
      const c = this.fresh('c');
      const cases = node.fields
        .map((f) => {
          const body = this.node(f.node, c, (e) => `${v}[${k}] = ${e};`, at({ text: f.segment }), scope);
          return `case ${lit(f.key)}: { ${body === '' ? '' : isForbiddenKey(f.key) ? 'bail();' : body} break; }`;
        })
        .join(' ');
      const rest = this.node(node.catchall, c, (e) => `${v}[${k}] = ${e};`, at({ expr: `pathSegment(${k})` }), scope);
      const other = rest === '' ? '' : `default: { if (isForbiddenKey(${k})) bail(); ${rest} }`;
      return `if (${isObject(v)}) for (const ${k} of Object.keys(${v})) { const ${c} = ${v}[${k}]; switch (${k}) { ${cases} ${other} } }`;
    }
    const fields = node.fields.map((f) => {
      const c = this.fresh('c');
      const key = lit(f.key);
      const body = this.node(f.node, c, (e) => `${v}[${key}] = ${e};`, at({ text: f.segment }), scope);
      if (body === '') return '';
      const present = f.inherited ? `hasOwn.call(${v}, ${key})` : `${c} !== undefined`;
      // superjson refuses annotations under `constructor` and `prototype`: superjson should say so.
      const guard = isForbiddenKey(f.key) ? 'bail(); ' : '';
      return `const ${c} = ${v}[${key}]; if (${present}) { ${guard}${body} }`;
    });
    return `if (${isObject(v)}) { ${fields.join(' ')} }`;
  }

  /**
   * Checks the next entry of `scope` in the text: `{` (first) or `,`, then `"<path>":<tree>`, and moves
   * `pos` past it. (`indexOf(s, pos) === pos` is a few times faster than `startsWith(s, pos)` in V8; on
   * a mismatch it may scan on, and then we bail.) Entries are expected in the order of the walk; where
   * superjson put index keys first (a container mixing `"1":[...]` and `"0.d":[...]`), the text does
   * not match and the general reader takes it (the order of disjoint annotations does not change the
   * result, so matching texts are read exactly as superjson reads them).
   */
  private entry(path: Part[], tree: string, scope: Scope): string {
    const f = `f${scope.id}`;
    const text = entryText(path, tree);
    const check = `if (text.charCodeAt(pos) !== (${f} ? 123 : 44)) bail(); `;
    if ('text' in text) return `${check}if (text.indexOf(${lit(text.text)}, pos + 1) !== pos + 1) bail(); pos += ${text.text.length + 1}; ${f} = false;`;
    const t = this.fresh('t');
    return `${check}const ${t} = ${text.expr}; if (text.indexOf(${t}, pos + 1) !== pos + 1) bail(); pos += ${t}.length + 1; ${f} = false;`;
  }

  /** A Map or Set entry: `"<path>":["set"]`, or `"<path>":["set",{<entries of inner>}]`. */
  private container(path: Part[], type: string, scope: Scope, inner: Scope, loop: string): string {
    const saved = this.fresh('s');
    const head = this.entry(path, `["${type}"`, scope);
    const id = inner.id;
    return `${head} let f${id} = true, ${saved} = -2;
if (text.charCodeAt(pos) === 44 && text.charCodeAt(pos + 1) === 123) pos += 1; else { ${saved} = pos; pos = -1; }
${loop}
if (${saved} === -2) { if (f${id} || text.charCodeAt(pos) !== 125 || text.charCodeAt(pos + 1) !== 93) bail(); pos += 2; }
else { pos = ${saved}; if (text.charCodeAt(pos) !== 93) bail(); pos += 1; }`;
  }
}

function isObject(v: string): string {
  return `typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v})`;
}
