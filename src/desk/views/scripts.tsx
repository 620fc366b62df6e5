import type { ScriptUsage } from '../../db/desk-lookups.js';
import type { VoiceScript } from '../../scripts/schema.js';
import { count, shortTime } from './format.js';
import { Layout } from './layout.js';

export function ScriptsPage({
  user,
  loaded,
  usage,
}: {
  user: { name: string; csrf: string };
  loaded: readonly VoiceScript[];
  usage: ScriptUsage[];
}) {
  const current = new Set(loaded.map((s) => `${s.id}\u0000${s.version}`));
  return (
    <Layout title="Voice scripts" section="scripts" user={user}>
      <section class="card">
        <h2>In use now</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Script</th>
                <th scope="col">Business</th>
                <th scope="col">Version</th>
                <th scope="col">Languages and voices</th>
                <th scope="col">Categories</th>
                <th scope="col">Numbers</th>
              </tr>
            </thead>
            <tbody>
              {loaded.map((s) => (
                <tr>
                  <td class="mono">
                    {s.id}
                    {s.default ? ' (default)' : ''}
                  </td>
                  <td>{s.business}</td>
                  <td>{s.version}</td>
                  <td>
                    {s.languages.map((l) => (
                      <div>
                        {l.language} <span class="muted">({l.voice})</span>
                      </div>
                    ))}
                  </td>
                  <td>{[...new Set(s.languages.flatMap((l) => l.categories.map((c) => c.id)))].join(', ')}</td>
                  <td class="mono">{s.numbers.length === 0 ? '–' : s.numbers.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card">
        <h2>Heard by callers</h2>
        {usage.length === 0 ? (
          <p class="muted">No calls yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Script</th>
                  <th scope="col">Version</th>
                  <th scope="col">Language</th>
                  <th scope="col" class="num">
                    Calls
                  </th>
                  <th scope="col">First heard</th>
                  <th scope="col">Last heard</th>
                  <th scope="col">Loaded now</th>
                </tr>
              </thead>
              <tbody>
                {usage.map((u) => (
                  <tr>
                    <td class="mono">{u.script_id}</td>
                    <td>{u.script_version}</td>
                    <td>{u.language}</td>
                    <td class="num">{count(u.calls)}</td>
                    <td>{shortTime(u.first_heard)}</td>
                    <td>{shortTime(u.last_heard)}</td>
                    <td>{current.has(`${u.script_id}\u0000${u.script_version}`) ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Layout>
  );
}
