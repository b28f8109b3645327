import { Buffer } from 'node:buffer';

/**
 * Encrypts the secrets Tuike must be able to read back (Stripe webhook signing secrets,
 * postback signing secrets) with AES-256-GCM under one server key. WebCrypto only, so it runs
 * on Node and Workers alike. Sealed form: `v1.<iv>.<ciphertext+tag>`, base64url.
 */
export interface SecretBox {
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

const VERSION = 'v1';
const IV_BYTES = 12;

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));

/** A new random key for `SECRETS_KEY`: 32 bytes, base64url. */
export function generateSecretsKey(): string {
  return toB64(crypto.getRandomValues(new Uint8Array(32)));
}

/** Throws when `key` is not 32 bytes of base64url (the check behind `SECRETS_KEY`). */
export async function createSecretBox(key: string): Promise<SecretBox> {
  const raw = fromB64(key);
  if (raw.length !== 32) throw new Error('the secrets key must be 32 bytes, base64url-encoded');
  const cryptoKey = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  return {
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv },
        cryptoKey,
        new TextEncoder().encode(plain),
      );
      return `${VERSION}.${toB64(iv)}.${toB64(new Uint8Array(sealed))}`;
    },
    async open(sealed) {
      const [version, iv, body] = sealed.split('.');
      if (version !== VERSION || !iv || !body) throw new Error('not a sealed secret');
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromB64(iv) },
        cryptoKey,
        fromB64(body),
      );
      return new TextDecoder().decode(plain);
    },
  };
}

/** A box for a runtime without a secrets key: any use fails with `reason`. */
export function unavailableSecretBox(reason: string): SecretBox {
  const fail = async (): Promise<string> => {
    throw new Error(reason);
  };
  return { seal: fail, open: fail };
}
