/**
 * Errors that mean the client went away (hung up mid-upload or mid-download), not that this server failed. Anyone
 * can cause them, so they are logged as one warn line without a stack, never as a server error.
 */
const CLIENT_GONE_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  // Node's HTTP parser, when the socket ends before the body it announced.
  'HPE_INVALID_EOF_STATE',
]);

export function isClientGone(err: unknown): boolean {
  const e = err as { code?: unknown; type?: unknown } | null;
  return (typeof e?.code === 'string' && CLIENT_GONE_CODES.has(e.code)) || e?.type === 'request.aborted';
}
