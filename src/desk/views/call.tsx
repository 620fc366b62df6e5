import type { Transcript } from '../../transcript/transcript.js';
import { Layout } from './layout.js';
import { CallFacts, TranscriptView } from './transcript.js';

export function CallPage({ user, transcript }: { user: { name: string; csrf: string }; transcript: Transcript }) {
  const number = transcript.call.designated_number ?? transcript.events.find((e) => e.phone_number)?.phone_number;
  return (
    <Layout title={`Call ${transcript.call.reference}`} section="number" user={user}>
      {number && (
        <p>
          <a href={`/desk/number?q=${encodeURIComponent(number)}`}>Consent and history of {number}</a>
        </p>
      )}
      <section class="card">
        <h2>The call</h2>
        <CallFacts call={transcript.call} />
      </section>
      <section class="card">
        <h2>What the caller heard and pressed</h2>
        <TranscriptView transcript={transcript} />
      </section>
    </Layout>
  );
}
