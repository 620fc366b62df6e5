import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * C2SP signed notes with Ed25519 keys (https://github.com/C2SP/C2SP/blob/main/signed-note.md), as Go's
 * golang.org/x/mod/sumdb/note writes them: the text, a blank line, then `— <name> base64(keyid || signature)`.
 * Key files use the same encodings: `PRIVATE+KEY+<name>+<hex keyid>+base64(0x01 || seed)` for the signer,
 * `<name>+<hex keyid>+base64(0x01 || public key)` for verifiers.
 */
export class NoteError extends Error {
  override name = 'NoteError';
}

const ED25519 = 0x01;
const EM_DASH = '\u2014';

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  privateKey: KeyObject;
  publicKey: Buffer;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

/** The 4-byte key ID: SHA-256(name || 0x0A || 0x01 || public key), first four bytes. */
function keyIdOf(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

function checkName(name: string): void {
  if (name === '' || /[\s+]/u.test(name) || /[\p{Cc}]/u.test(name)) {
    throw new NoteError(`key name "${name}" must be non-empty, without spaces or "+"`);
  }
}

const b64url = (b: Buffer) => b.toString('base64url');

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 seed.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new NoteError('the key file does not hold a 32-byte Ed25519 key');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

function publicFromRaw(publicKey: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(publicKey) }, format: 'jwk' });
}

/** A new Ed25519 key: the signer's text (keep it secret) and the verifier's (publish it). */
export function generateNoteKey(name: string): { signerText: string; verifierText: string } {
  checkName(name);
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const pub = Buffer.from(jwk.x as string, 'base64url');
  const id = keyIdOf(name, pub).toString('hex');
  return {
    signerText: `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}\n`,
    verifierText: `${name}+${id}+${Buffer.concat([Buffer.from([ED25519]), pub]).toString('base64')}\n`,
  };
}

/**
 * Decodes base64 only in its one canonical spelling. Node's decoder skips stray characters and ignores the unused
 * low bits of the last character, so several texts decode to the same bytes; evidence must have exactly one.
 * Undefined when the text is not that spelling.
 */
export function canonicalBase64(text: string): Buffer | undefined {
  const raw = Buffer.from(text, 'base64');
  return raw.toString('base64') === text ? raw : undefined;
}

function strictBase64(text: string, what: string): Buffer {
  const raw = canonicalBase64(text);
  if (!raw) throw new NoteError(`${what} is not canonical base64`);
  return raw;
}

function keyParts(text: string, what: string): { name: string; keyId: Buffer; key: Buffer } {
  // Base64 may hold "+", names may not: split off the name and the key ID, keep the rest whole.
  const body = text.trim().replace(/^PRIVATE\+KEY\+/, '');
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(body);
  if (!m) throw new NoteError(`${what} is not a signed-note key`);
  const raw = strictBase64(m[3] as string, what);
  if (raw.length !== 33 || raw[0] !== ED25519) throw new NoteError(`${what} is not an Ed25519 key`);
  return { name: m[1] as string, keyId: Buffer.from(m[2] as string, 'hex'), key: raw.subarray(1) };
}

export function parseSigner(text: string): NoteSigner {
  if (!text.trim().startsWith('PRIVATE+KEY+')) throw new NoteError('the key file is not a private signing key');
  const { name, keyId, key } = keyParts(text, 'the key file');
  const privateKey = privateFromSeed(key);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x as string, 'base64url');
  if (!keyIdOf(name, publicKey).equals(keyId))
    throw new NoteError('the key file is damaged: its key ID does not match');
  return { name, keyId, privateKey, publicKey };
}

export function parseVerifier(text: string): NoteVerifier {
  if (text.trim().startsWith('PRIVATE+KEY+')) throw new NoteError('give the public key, not the private one');
  const { name, keyId, key } = keyParts(text, 'the public key');
  if (!keyIdOf(name, key).equals(keyId)) throw new NoteError('the public key is damaged: its key ID does not match');
  return { name, keyId, publicKey: publicFromRaw(key) };
}

export function verifierText(signer: NoteSigner): string {
  return `${signer.name}+${signer.keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), signer.publicKey]).toString('base64')}\n`;
}

/** Signs `text` (which must end in a newline and hold no blank line) as a note. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n') || text.includes('\n\n'))
    throw new NoteError('a note text ends in one newline, with no blank line');
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${text}\n${EM_DASH} ${signer.name} ${Buffer.concat([signer.keyId, signature]).toString('base64')}\n`;
}

export interface OpenedNote {
  text: string;
  /** True when `verifier` signed it; undefined when no verifier was given. */
  verified?: boolean;
  signers: string[];
}

/** Splits a signed note and, given a verifier, checks its signature (a note without one is refused). */
export function openNote(note: string, verifier?: NoteVerifier): OpenedNote {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('not a signed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new NoteError('not a signed note: no signature lines');
  const signatures = lines.map((line) => {
    const m = new RegExp(`^${EM_DASH} (\\S+) ([A-Za-z0-9+/=]+)$`).exec(line);
    if (!m) throw new NoteError(`not a signed note: malformed signature line "${line.slice(0, 40)}"`);
    const raw = strictBase64(m[2] as string, 'the signature');
    if (raw.length < 5) throw new NoteError('not a signed note: signature too short');
    return { name: m[1] as string, keyId: raw.subarray(0, 4), signature: raw.subarray(4) };
  });
  const result: OpenedNote = { text, signers: signatures.map((s) => s.name) };
  if (verifier) {
    const mine = signatures.find((s) => s.name === verifier.name && s.keyId.equals(verifier.keyId));
    result.verified = mine !== undefined && verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, mine.signature);
  }
  return result;
}

/** A tlog-checkpoint body (C2SP tlog-checkpoint): origin, tree size, base64 root hash. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
}

export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  const [origin, size, root] = lines;
  if (!origin || !size || !root || !/^(0|[1-9]\d*)$/.test(size)) {
    throw new NoteError('not a checkpoint: expected origin, tree size and root hash lines');
  }
  const hash = canonicalBase64(root);
  if (hash?.length !== 32) throw new NoteError('not a checkpoint: the root is not a base64 SHA-256 hash');
  const n = Number(size);
  if (!Number.isSafeInteger(n)) throw new NoteError(`not a checkpoint: tree size ${size} is too large`);
  return { origin, size: n, root: hash };
}
