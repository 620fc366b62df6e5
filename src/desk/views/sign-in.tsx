import { Layout, Notice } from './layout.js';

export interface SignInProps {
  csrf: string;
  next: string;
  name?: string;
  error?: string | undefined;
  info?: string | undefined;
}

export function SignInPage({ csrf, next, name, error, info }: SignInProps) {
  return (
    <Layout title="Sign in" section="sign-in">
      <div class="card sign-in-box">
        {info && <Notice kind="info">{info}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <form method="post" action="/desk/sign-in" class="stack">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="next" value={next} />
          <label>
            User name
            <input name="name" autocomplete="username" required value={name ?? ''} autofocus />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <div>
            <button type="submit">Sign in</button>
          </div>
        </form>
      </div>
    </Layout>
  );
}
