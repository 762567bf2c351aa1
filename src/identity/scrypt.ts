import { scrypt } from 'node:crypto';
import { SCRYPT_LIMITS, scryptParamsProblem } from './keystore-format.ts';
import { KeystoreOptionError } from './errors.ts';

/** Length of the derived AES-256 key in bytes. */
const KEY_LENGTH = 32;

/**
 * scrypt(passphrase, salt, N, r, p) → 32-byte key, on the libuv thread pool so the event loop
 * stays free. The parameters are checked against SCRYPT_LIMITS first; `maxmem` is raised to what
 * those parameters need (OpenSSL's check is 128·r·(N + p + 2) bytes), since Node's 32 MiB default
 * is below our N = 2^17 default.
 */
export async function scryptKey(passphrase: Uint8Array, salt: Uint8Array, N: number, r: number, p: number): Promise<Uint8Array> {
  const problem = scryptParamsProblem(N, r, p);
  if (problem !== undefined) throw new KeystoreOptionError(problem);
  const maxmem = 128 * r * (N + p + 2) + 2 ** 20;
  if (maxmem > SCRYPT_LIMITS.maxMemory + 2 ** 24) throw new KeystoreOptionError('scrypt parameters need too much memory');
  return await new Promise<Uint8Array>((resolve, reject) => {
    scrypt(passphrase, salt, KEY_LENGTH, { N, r, p, maxmem }, (err, key) => {
      if (err !== null) reject(err);
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.length));
    });
  });
}
