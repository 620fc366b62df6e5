import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { sayLimit } from '../params/twilio-say.js';

export type Method = 'GET' | 'POST';

export interface SayVerb {
  verb: 'Say';
  text: string;
  voice: string | undefined;
  language: string | undefined;
  /** How many times it is spoken; 0 means "until something else happens", as in Twilio. */
  loop: number;
}
export interface PlayVerb {
  verb: 'Play';
  url: string;
  loop: number;
}
export interface PauseVerb {
  verb: 'Pause';
  seconds: number;
}
export interface GatherVerb {
  verb: 'Gather';
  /** Undefined means Twilio posts back to the current document's URL. */
  action: string | undefined;
  method: Method;
  timeoutSeconds: number;
  numDigits: number | undefined;
  /** '' when disabled. */
  finishOnKey: string;
  actionOnEmptyResult: boolean;
  prompts: (SayVerb | PlayVerb | PauseVerb)[];
}
export interface RedirectVerb {
  verb: 'Redirect';
  url: string;
  method: Method;
}
export interface HangupVerb {
  verb: 'Hangup';
}
export interface RejectVerb {
  verb: 'Reject';
  reason: 'rejected' | 'busy';
}
export type Verb = SayVerb | PlayVerb | PauseVerb | GatherVerb | RedirectVerb | HangupVerb | RejectVerb;

export const WARNING_CODES = [
  'content-type',
  'whitespace-before-declaration',
  'too-large',
  'not-xml',
  'root',
  'say-too-long',
  'gather-nesting',
  'gather-no-action',
  'unknown-verb',
  'not-simulated',
  'bad-attribute',
] as const;

export interface TwimlWarning {
  code: (typeof WARNING_CODES)[number];
  message: string;
}

/** Why Twilio could not run a document: the error code it gives the fallback URL, and what was wrong. */
export interface Unusable {
  errorCode: '11750' | '12100' | '12300';
  message: string;
}

export interface TwimlDocument {
  verbs: Verb[];
  warnings: TwimlWarning[];
  /** Set when Twilio could not run the document at all (it would report an application error). */
  unusable: Unusable | undefined;
}

const MAX_BYTES = 64 * 1024;
const GATHER_CHILDREN = new Set(['Say', 'Play', 'Pause']);
// Verbs Twilio runs that have no meaning in an offline call; they are skipped with a warning, not called unknown.
const NOT_SIMULATED = new Set([
  'Dial',
  'Enqueue',
  'Leave',
  'Record',
  'Refer',
  'Connect',
  'Start',
  'Stop',
  'Stream',
  'Pay',
  'Prompt',
  'Sms',
  'Message',
  'Siprec',
  'Transcription',
  'Echo',
  'Queue',
]);
const DIGIT_KEY = /^[0-9*#]$/;
// XML under any name, or HTML (which Twilio is lenient with); anything else, or none, is not TwiML to Twilio.
const XML_OR_HTML = /^(text\/xml|application\/xml|[a-z]+\/[a-z0-9.+-]+\+xml|text\/html)$/;

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

/**
 * Reads a webhook answer as Twilio would and lists what Twilio would reject or mis-handle. Verbs are returned in
 * document order; anything Twilio would ignore is left out and warned about.
 */
export function parseTwiml(body: string, contentType: string | undefined): TwimlDocument {
  const warnings: TwimlWarning[] = [];
  const warn = (code: TwimlWarning['code'], message: string) => warnings.push({ code, message });
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // Twilio refuses these documents outright (error code in each), so nothing in them is run.
  if (!mediaType || !XML_OR_HTML.test(mediaType)) {
    const message = `content type is "${contentType ?? '(none)'}": Twilio runs only TwiML served as text/xml`;
    warn('content-type', message);
    return { verbs: [], warnings, unusable: { errorCode: '12300', message } };
  }
  if (mediaType !== 'text/xml' && mediaType !== 'application/xml') {
    warn('content-type', `content type is "${contentType}": Twilio expects text/xml for TwiML`);
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BYTES) {
    const message = `document is ${bytes} bytes: Twilio refuses TwiML over 64 kB`;
    warn('too-large', message);
    return { verbs: [], warnings, unusable: { errorCode: '11750', message } };
  }
  if (/^\s+<\?xml/.test(body)) {
    const message = 'whitespace before the XML declaration: Twilio cannot parse this document';
    warn('whitespace-before-declaration', message);
    return { verbs: [], warnings, unusable: { errorCode: '12100', message } };
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    const message = `not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})`;
    warn('not-xml', message);
    return { verbs: [], warnings, unusable: { errorCode: '12100', message } };
  }
  const roots = (parser.parse(body) as Node[]).filter((n) => !('#comment' in n) && !('#text' in n));
  const root = roots[0];
  const rootName = root ? elementName(root) : undefined;
  if (roots.length !== 1 || rootName !== 'Response') {
    const message = `root element is <${rootName ?? 'nothing'}>: TwiML must have a single <Response> root`;
    warn('root', message);
    return { verbs: [], warnings, unusable: { errorCode: '12100', message } };
  }
  const verbs = children(root as Node, 'Response')
    .map((node) => readVerb(node, warn))
    .filter((v): v is Verb => v !== undefined);
  return { verbs, warnings, unusable: undefined };
}

function elementName(node: Node): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#comment');
}

function children(node: Node, name: string): Node[] {
  return ((node[name] as Node[] | undefined) ?? []).filter((n) => !('#comment' in n));
}

function textOf(nodes: Node[]): string {
  // SSML inside <Say> (<break>, <emphasis> …) nests elements; what is spoken is all the text, in order.
  return nodes
    .map((n) => {
      if ('#text' in n) return String(n['#text']);
      const name = elementName(n);
      return name ? textOf(children(n, name)) : '';
    })
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

type Warn = (code: TwimlWarning['code'], message: string) => void;

function readVerb(node: Node, warn: Warn): Verb | undefined {
  if ('#text' in node) {
    warn('unknown-verb', `text "${String(node['#text']).slice(0, 40)}" outside a verb is ignored by Twilio`);
    return undefined;
  }
  const name = elementName(node) as string;
  const attrs = node[':@'] ?? {};
  const kids = children(node, name);
  const int = (attr: string, fallback: number, min = 0): number => {
    const raw = attrs[attr];
    if (raw === undefined) return fallback;
    if (/^\d+$/.test(raw) && Number(raw) >= min) return Number(raw);
    warn('bad-attribute', `<${name} ${attr}="${raw}"> is not a whole number${min > 0 ? ` of at least ${min}` : ''}`);
    return fallback;
  };
  const method = (): Method => {
    const raw = (attrs.method ?? 'POST').toUpperCase();
    if (raw === 'GET' || raw === 'POST') return raw;
    warn('bad-attribute', `<${name} method="${attrs.method}"> must be GET or POST`);
    return 'POST';
  };

  switch (name) {
    case 'Say': {
      const text = textOf(kids);
      const voice = attrs.voice;
      const limit = sayLimit(voice);
      if (text.length > limit) {
        warn('say-too-long', `<Say> of ${text.length} characters: Twilio speaks at most ${limit} with voice ${voice}`);
      }
      return { verb: 'Say', text, voice, language: attrs.language, loop: int('loop', 1) };
    }
    case 'Play':
      return { verb: 'Play', url: textOf(kids), loop: int('loop', 1) };
    case 'Pause':
      return { verb: 'Pause', seconds: int('length', 1, 1) };
    case 'Gather': {
      const finishOnKey = attrs.finishOnKey ?? '#';
      if (finishOnKey !== '' && !DIGIT_KEY.test(finishOnKey)) {
        warn('bad-attribute', `<Gather finishOnKey="${finishOnKey}"> must be one key (0-9, *, #) or empty`);
      }
      if (attrs.action === undefined) {
        warn('gather-no-action', '<Gather> without an action posts back to this same URL: the call loops');
      }
      if (attrs.input !== undefined && !attrs.input.split(/\s+/).includes('dtmf')) {
        warn('not-simulated', `<Gather input="${attrs.input}"> takes no keys; only dtmf input is simulated`);
      }
      const prompts: GatherVerb['prompts'] = [];
      for (const kid of kids) {
        const kidName = '#text' in kid ? undefined : elementName(kid);
        if (kidName === undefined || !GATHER_CHILDREN.has(kidName)) {
          warn(
            'gather-nesting',
            `<${kidName ?? 'text'}> inside <Gather>: Twilio allows only <Say>, <Play> and <Pause>`,
          );
          continue;
        }
        const verb = readVerb(kid, warn);
        if (verb) prompts.push(verb as GatherVerb['prompts'][number]);
      }
      return {
        verb: 'Gather',
        action: attrs.action,
        method: method(),
        timeoutSeconds: int('timeout', 5, 1),
        // An unusable numDigits is dropped, leaving Twilio's default: no limit.
        numDigits: attrs.numDigits === undefined ? undefined : int('numDigits', 0, 1) || undefined,
        finishOnKey: DIGIT_KEY.test(finishOnKey) || finishOnKey === '' ? finishOnKey : '#',
        actionOnEmptyResult: attrs.actionOnEmptyResult === 'true',
        prompts,
      };
    }
    case 'Redirect':
      return { verb: 'Redirect', url: textOf(kids), method: method() };
    case 'Hangup':
      return { verb: 'Hangup' };
    case 'Reject':
      return { verb: 'Reject', reason: attrs.reason === 'busy' ? 'busy' : 'rejected' };
    default:
      if (NOT_SIMULATED.has(name)) warn('not-simulated', `<${name}> is not simulated and is skipped`);
      else warn('unknown-verb', `<${name}> is not a TwiML verb: Twilio reports an error for it`);
      return undefined;
  }
}
