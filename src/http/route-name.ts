interface RoutedContext {
  matched?: { path: string; methods: string[] }[];
  _matchedRoute?: string;
}

/**
 * The route pattern a request matched (`/api/subscribers/:phone`), never its URL: URLs can hold phone numbers.
 * A request stopped by a router's own middleware (a forged webhook's 403) still names its route, not the
 * middleware's `/voice(?:\/|$)`.
 */
export function routeName(ctx: object): string {
  const routed = ctx as RoutedContext;
  const route = routed.matched?.findLast((layer) => layer.methods.length > 0);
  return route?.path ?? routed._matchedRoute ?? '(no route)';
}
