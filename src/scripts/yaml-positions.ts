import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/** A YAML file parsed with its positions, so every problem can name the line it is on. */
export interface PositionedYaml {
  value: unknown;
  /** YAML syntax errors, each with its line. */
  errors: { line: number; message: string }[];
  /** The line of the field at `path` (its key, for a mapping entry); the nearest existing parent's when missing. */
  lineOf(path: readonly PropertyKey[]): number;
  /** True when the file itself gives this field (rather than a default filling it in). */
  has(path: readonly PropertyKey[]): boolean;
}

export function parseWithPositions(text: string): PositionedYaml {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const line = (offset: number | undefined) => (offset === undefined ? 1 : counter.linePos(offset).line);
  // Walks as far down the path as the document goes: where it stops is the line to show.
  const walk = (path: readonly PropertyKey[]) => {
    let node: unknown = doc.contents;
    let at = line(doc.contents?.range?.[0]);
    let depth = 0;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) break;
        at = line((pair.key as Node).range?.[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
        node = node.items[part];
        at = line((node as Node).range?.[0]);
      } else {
        break;
      }
      depth += 1;
    }
    return { at, complete: depth === path.length };
  };
  return {
    value: doc.errors.length === 0 ? doc.toJS() : undefined,
    errors: doc.errors.map((e) => ({
      line: e.linePos?.[0]?.line ?? 1,
      message: e.message.split('\n')[0] as string,
    })),
    lineOf: (path) => walk(path).at,
    has: (path) => walk(path).complete,
  };
}
