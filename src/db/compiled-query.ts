import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

/** Where a run's value goes in a query built once: the path to it in the run's parameters (`['rows', 0, 'kind']`). */
class Slot {
  constructor(readonly path: readonly (string | number)[]) {}
}

/** Stands for `params[name]` (a value of the type it is given as) in a query built once by `compiledQuery`. */
export type Slots<P> = { readonly [K in keyof P]: P[K] };

function slots<P>(path: readonly (string | number)[] = []): Slots<P> {
  return new Proxy({} as Slots<P>, {
    get: (_target, name) => (typeof name === 'string' ? new Slot([...path, name]) : undefined),
  });
}

/** An object of slots for `columns`, at `path` + column of the run's parameters (a row to insert, a patch). */
export function slotRecord<T>(path: readonly (string | number)[], columns: readonly string[]): T {
  return Object.fromEntries(columns.map((column) => [column, new Slot([...path, column])])) as T;
}

/** `n` rows of slots for `columns`, at `rows[i][column]` of the run's parameters: for a multi-row insert. */
export function slotRows<Row>(n: number, columns: readonly string[]): Row[] {
  return Array.from({ length: n }, (_, i) => slotRecord<Row>(['rows', i], columns));
}

/**
 * The shape of a multi-row insert (`3:a,b,c`), or undefined when its rows do not all have the same columns (Kysely
 * then writes DEFAULT where one is missing, which a query compiled once cannot).
 */
export function rowsShape(rows: readonly object[]): { key: string; columns: string[] } | undefined {
  const columns = Object.keys(rows[0] ?? {});
  for (const row of rows) {
    const keys = row === rows[0] ? columns : Object.keys(row);
    if (keys.length !== columns.length) return undefined;
    for (const [i, key] of keys.entries()) {
      if (key !== columns[i] || (row as Record<string, unknown>)[key] === undefined) return undefined;
    }
  }
  return { key: `${rows.length}:${columns.join(',')}`, columns };
}

interface Template<R> {
  compiled: CompiledQuery<R>;
  /** Per compiled parameter: the slot it is filled from, or undefined for a constant of the query itself. */
  slots: (Slot | undefined)[];
}

/** More shapes than this of one query are built and compiled per run, not kept (a patch of unusual columns). */
const MAX_SHAPES = 64;

/**
 * A query Kysely builds and compiles once per shape and database dialect, then runs with each call's values bound to
 * the same SQL text: the query builder's work (and its garbage) is paid once instead of per webhook. `build` gets
 * `$`, whose fields stand for the run's parameters (its own fields only: a row or a patch is given by `slotRecord`
 * or `slotRows`), and the shape's key (a row count, the columns of a patch); it must return the same query for the
 * same key whatever the values, which it never sees.
 */
export function compiledQuery<DB, P, R, K extends string | number = ''>(
  build: (db: Kysely<DB>, $: Slots<P>, key: K) => Compilable<R>,
): { execute(db: Kysely<DB>, params: P, key?: K): Promise<QueryResult<R>> } {
  // By the dialect's adapter (one per opened database): SQLite and PostgreSQL compile to different SQL.
  const byAdapter = new WeakMap<object, Map<K, Template<R>>>();
  const template = (db: Kysely<DB>, key: K): Template<R> => {
    const compiled = build(db, slots<P>(), key).compile();
    return { compiled, slots: compiled.parameters.map((p) => (p instanceof Slot ? p : undefined)) };
  };
  return {
    async execute(db: Kysely<DB>, params: P, key = '' as K) {
      const adapter = db.getExecutor().adapter;
      let shapes = byAdapter.get(adapter);
      if (!shapes) {
        shapes = new Map();
        byAdapter.set(adapter, shapes);
      }
      let shape = shapes.get(key);
      if (!shape) {
        shape = template(db, key);
        if (shapes.size < MAX_SHAPES) shapes.set(key, shape);
      }
      const parameters = shape.compiled.parameters.map((constant, i) => {
        const slot = shape.slots[i];
        return slot ? valueAt(params, slot) : constant;
      });
      const run: CompiledQuery<R> = { ...shape.compiled, parameters };
      return db.executeQuery(run);
    },
  };
}

function valueAt(params: unknown, slot: Slot): unknown {
  let value = params;
  for (const step of slot.path) value = (value as Record<string | number, unknown>)[step];
  // Kysely would have written DEFAULT for a missing value; a query compiled once cannot, so say so.
  if (value === undefined) throw new TypeError(`no value for ${slot.path.join('.')} in a compiled query`);
  return value;
}
