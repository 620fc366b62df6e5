/**
 * The route pattern a request matched (`/api/subscribers/:phone`), never its URL: URLs can hold phone numbers.
 */
export function routeName(ctx: object): string {
  return (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? '(no route)';
}
