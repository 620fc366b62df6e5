/** The database cannot be opened or used as asked (a wrong `DATABASE_URL`, a pending migration, a refused copy). */
export class StoreError extends Error {
  override name = 'StoreError';
}
