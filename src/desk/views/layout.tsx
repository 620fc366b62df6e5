import type { ComponentChildren } from 'preact';

export type Section = 'overview' | 'number' | 'events' | 'scripts' | 'access-log' | 'sign-in';

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'overview', href: '/desk', label: 'Overview' },
  { section: 'number', href: '/desk/number', label: 'Number' },
  { section: 'events', href: '/desk/events', label: 'Events' },
  { section: 'scripts', href: '/desk/scripts', label: 'Scripts' },
  { section: 'access-log', href: '/desk/access-log', label: 'Access log' },
];

export interface LayoutProps {
  title: string;
  section: Section;
  /** The signed-in user and the form token for sign-out; absent on the sign-in page. */
  user?: { name: string; csrf: string } | undefined;
  children: ComponentChildren;
}

export function Layout({ title, section, user, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · Consent desk`}</title>
        <link rel="stylesheet" href="/desk/desk.css" />
        <link rel="icon" href="/desk/icon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <span class="brand">Consent desk</span>
          {user && (
            <nav aria-label="Desk pages">
              {NAV.map((n) => (
                <a href={n.href} aria-current={n.section === section ? 'page' : undefined}>
                  {n.label}
                </a>
              ))}
            </nav>
          )}
          {user && (
            <form method="post" action="/desk/sign-out" class="sign-out">
              <input type="hidden" name="_csrf" value={user.csrf} />
              <span class="who">{user.name}</span>
              <button type="submit" class="quiet">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'info' | 'ok'; children: ComponentChildren }) {
  return (
    <p class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}
