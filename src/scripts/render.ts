/** What a prompt may refer to; anything else in braces is a mistake in the script. */
export const PLACEHOLDERS = [
  'business',
  'category',
  'categories',
  'agreed',
  'agree',
  'decline',
  'stop',
  'repeat',
  'confirm',
  'change',
  'last_digits',
  'number',
  'reference',
  'language_key',
  'agent',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PromptValues = Partial<Record<Placeholder, string>>;

const PATTERN = /\{([a-z_]+)\}/g;

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PATTERN)].map((m) => m[1] as string);
}

/** Fills `{name}` placeholders; a placeholder without a value is an error, never spoken as "{name}". */
export function renderPrompt(template: string, values: PromptValues): string {
  return template.replace(PATTERN, (_whole, name: string) => {
    const value = values[name as Placeholder];
    if (value === undefined) throw new Error(`prompt needs a value for {${name}}`);
    return value;
  });
}

/** "a, b and c": how a list of categories is spoken. */
export function spokenList(items: string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;
}
