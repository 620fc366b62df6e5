import type { DeskAccessEntry } from '../../db/desk-schema.js';
import { shortTime } from './format.js';
import { Layout } from './layout.js';

export function AccessLogPage({
  user,
  entries,
  next,
}: {
  user: { name: string; csrf: string };
  entries: DeskAccessEntry[];
  next?: number | undefined;
}) {
  return (
    <Layout title="Access log" section="access-log" user={user}>
      <p class="muted">
        Every sign-in, look-up, export and revoke made on the desk, newest first. The log is append-only.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">From</th>
              <th scope="col">What</th>
              <th scope="col">Concerning</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>
                  <time datetime={e.at}>{shortTime(e.at)}</time>
                </td>
                <td>{e.user_name ?? '–'}</td>
                <td class="mono">{e.address}</td>
                <td>{e.action}</td>
                <td class="mono">{e.target ?? '–'}</td>
                <td>{e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <a href="/desk/access-log">Newest</a>
        {next !== undefined && <a href={`/desk/access-log?before=${next}`}>Older entries</a>}
      </nav>
    </Layout>
  );
}
