import { describe, expect, it } from 'vitest';
import { createSecretBox, generateSecretsKey } from './secret-box';

describe('secret box', () => {
  it('opens what it sealed, and never shows the plain text', async () => {
    const box = await createSecretBox(generateSecretsKey());
    const sealed = await box.seal('whsec_test_secret');
    expect(sealed).not.toContain('whsec');
    expect(sealed).not.toBe(await box.seal('whsec_test_secret'));
    expect(await box.open(sealed)).toBe('whsec_test_secret');
  });

  it('refuses a tampered secret and one sealed under another key', async () => {
    const box = await createSecretBox(generateSecretsKey());
    const other = await createSecretBox(generateSecretsKey());
    const sealed = await box.seal('whsec_test_secret');
    // One bit of the ciphertext flipped (editing a base64 character could leave the bytes as
    // they were: the same character, or only padding bits).
    const [version, iv, body] = sealed.split('.');
    const bytes = Buffer.from(body ?? '', 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const flipped = `${version}.${iv}.${bytes.toString('base64url')}`;
    expect(flipped).not.toBe(sealed);
    await expect(box.open(flipped)).rejects.toThrow();
    await expect(other.open(sealed)).rejects.toThrow();
  });

  it('refuses a key of the wrong size', async () => {
    await expect(createSecretBox('c2hvcnQ')).rejects.toThrow(/32 bytes/);
  });
});
