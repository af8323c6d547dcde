// Password hashing: scrypt with a per-user salt, parameters stored with the hash.
import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from '../../src/users/password';

describe('password hashing', () => {
  it('salts every hash and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
  });

  it('rejects missing, foreign and tampered hashes without throwing', async () => {
    const hash = await hashPassword('pw-123456');
    const parts = hash.split('$');
    parts[5] = Buffer.from('x'.repeat(32)).toString('base64');
    for (const stored of [null, undefined, '', 'plaintext', '$2b$12$bcrypthash', parts.join('$')]) {
      expect(await verifyPassword('pw-123456', stored)).toBe(false);
    }
  });

  it('generates distinct, long random passwords', () => {
    const p = generatePassword();
    expect(p.length).toBeGreaterThanOrEqual(20);
    expect(generatePassword()).not.toBe(p);
  });
});
