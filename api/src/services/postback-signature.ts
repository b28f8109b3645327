import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../context';
import type { Deps } from '../deps';
import { ApiError } from '../lib/errors';

/** A signature older or newer than this (by its own timestamp) is refused. */
export const POSTBACK_SIGNATURE_TOLERANCE_SECONDS = 300;

const unsigned = (message: string) =>
  new ApiError('unauthorized', `${message} / 签名无效`, {
    errors: [{ path: 'Tuike-Signature', message }],
  });

/** The header value for `body` signed at `timestamp` (seconds) with `secret`. */
export function signPostback(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Checks the optional HMAC signature of a postback made with an API key: when the request
 * carries `Tuike-Signature`, or the key requires one, the header must hold a timestamp within
 * five minutes of our clock and a `v1` HMAC-SHA256 of `<timestamp>.<raw body>` under the key's
 * signing secret. Users' tokens are not signed; they pass.
 */
export async function checkPostbackSignature(
  deps: Deps,
  principal: Principal,
  rawBody: string,
  header: string | undefined,
): Promise<void> {
  if (principal.kind !== 'api_key') return;
  // The key as authentication read it moments ago: no second read per postback.
  const { signing } = principal;
  if (header === undefined) {
    if (signing.required) throw unsigned('this API key requires a Tuike-Signature header');
    return;
  }
  if (!signing.secret) throw unsigned('this API key has no signing secret');
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) {
    throw unsigned('Tuike-Signature must be t=<unix seconds>,v1=<64 hex digits>');
  }
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  if (Math.abs(now - timestamp) > POSTBACK_SIGNATURE_TOLERANCE_SECONDS) {
    throw unsigned('the signature timestamp is more than 5 minutes away from now');
  }
  const secret = await deps.secretBox.open(signing.secret);
  const expected = signPostback(secret, timestamp, rawBody).slice(-64);
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'))) {
    throw unsigned('the signature does not match the body');
  }
}
