import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/db/statement-cache.js';

let sqlite: SQLite.Database;
let prepared: string[];

function counted(): SQLite.Database {
  sqlite = new SQLite(':memory:');
  sqlite.exec('create table t (n integer)');
  sqlite.exec('insert into t values (1), (2), (3)');
  prepared = [];
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((text: string) => {
    prepared.push(text);
    return prepare(text);
  }) as typeof sqlite.prepare;
  return sqlite;
}

afterEach(() => sqlite?.close());

describe('statement cache', () => {
  it('prepares each SQL text once and reuses the statement', () => {
    const db = withStatementCache(counted());
    for (let i = 0; i < 5; i++) expect(db.prepare('select n from t where n = ?').all([2])).toEqual([{ n: 2 }]);
    expect(prepared).toEqual(['select n from t where n = ?']);
  });

  it('keeps at most its size, dropping the least recently used', () => {
    const db = withStatementCache(counted(), 2);
    db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1');
    db.prepare('select 3');
    db.prepare('select 1');
    db.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
  });

  it('does not hand out a statement that is still iterating', () => {
    const db = withStatementCache(counted());
    const text = 'select n from t order by n';
    const open = db.prepare(text).iterate([]);
    expect(open.next().value).toEqual({ n: 1 });
    expect(db.prepare(text).all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect([...open]).toEqual([{ n: 2 }, { n: 3 }]);
    expect(prepared).toEqual([text, text]);
  });
});
