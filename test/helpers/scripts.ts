import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseVoiceScript } from '../../src/scripts/load.js';
import type { VoiceScript } from '../../src/scripts/schema.js';

export function demoYaml(): Record<string, unknown> {
  return parse(readFileSync('voice-scripts/demo.yaml', 'utf8'));
}

/** The bundled demo script, optionally changed, parsed exactly as start-up parses it. */
// biome-ignore lint/suspicious/noExplicitAny: tests reach into the raw YAML to break it on purpose.
export function demoScript(change: (raw: Record<string, any>) => void = () => {}): VoiceScript {
  const raw = demoYaml();
  change(raw);
  return parseVoiceScript(stringify(raw), 'demo.yaml');
}
