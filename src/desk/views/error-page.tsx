import { Layout, Notice } from './layout.js';

export function ErrorPage({
  title,
  message,
  user,
}: {
  title: string;
  message: string;
  user?: { name: string; csrf: string } | undefined;
}) {
  return (
    <Layout title={title} section="overview" user={user}>
      <Notice kind="error">{message}</Notice>
      <p>
        <a href="/desk">Back to the overview</a>
      </p>
    </Layout>
  );
}
