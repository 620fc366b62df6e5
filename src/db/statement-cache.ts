import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * The connection Kysely is given: the same better-sqlite3 database, but `prepare` keeps up to `size` statements by
 * their SQL text, least recently used dropped first. Kysely prepares every query it runs; most of the phone line's
 * queries are the same few texts, and preparing one costs more than running it.
 */
export function withStatementCache(sqlite: SQLite.Database, size = 200): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      // A statement still iterating (a streamed export) cannot run a second time until it is done.
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      if (cached) return statement;
      cache.set(sql, statement);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}
