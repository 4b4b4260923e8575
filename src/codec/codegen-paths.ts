/**
 * Pieces shared by the generated encoder and decoder: annotation paths as parts known now (escaped
 * text) or computed at run time (a JS expression), and how they become JS source. Only schema-derived
 * text ever goes into the source, always as a `JSON.stringify` literal. @internal
 */

/** One segment of an annotation path: escaped text known now, or a JS expression giving it. @internal */
export type Part = { text: string } | { expr: string };

/** A JS string literal of `s`. @internal */
export const lit = (s: string): string => JSON.stringify(s);

/** A JS expression for the concatenation of `pieces` (adjacent known text merged into one literal). @internal */
export function concat(pieces: readonly Part[]): string {
  const out: string[] = [];
  let text = '';
  for (const p of pieces) {
    if ('text' in p) text += p.text;
    else {
      if (text !== '') out.push(lit(text));
      text = '';
      out.push(`(${p.expr})`);
    }
  }
  if (text !== '' || out.length === 0) out.push(lit(text));
  if (!out[0]!.startsWith('"')) out.unshift("''");
  return out.join(' + ');
}

/** The parts of `path` joined with `.`. @internal */
export function pathPieces(path: readonly Part[]): Part[] {
  const pieces: Part[] = [];
  path.forEach((p, i) => {
    if (i > 0) pieces.push({ text: '.' });
    pieces.push(p);
  });
  return pieces;
}

/** The text of an entry without its separator, `"<path>":<tree>`: known now, or as an expression. @internal */
export function entryText(path: readonly Part[], tree: string): Part {
  const pieces: Part[] = [{ text: '"' }, ...pathPieces(path), { text: '":' + tree }];
  if (pieces.every((p) => 'text' in p)) return { text: pieces.map((p) => (p as { text: string }).text).join('') };
  return { expr: concat(pieces) };
}
