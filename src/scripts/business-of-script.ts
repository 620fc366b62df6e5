import type { VoiceScripts } from './load.js';

/** The business a voice script speaks for; a script that is no longer loaded is named by its id. */
export function businessOfScript(scripts: Pick<VoiceScripts, 'byId'>): (scriptId: string) => string {
  return (scriptId) => scripts.byId(scriptId)?.business ?? `(script ${scriptId})`;
}
