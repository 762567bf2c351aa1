import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultProvider, toHex } from '../../src/crypto/index.ts';
import {
  createKeystore,
  EmptyPassphraseError,
  Identity,
  KeystoreExistsError,
  KeystoreFormatError,
  KeystoreNotFoundError,
  KeystoreOptionError,
  keystorePath,
  openKeystore,
  readKeystoreHeader,
  SCRYPT_DEFAULTS,
  WrongPassphraseError,
} from '../../src/identity/index.ts';
import { keystoreAad, serializeKeystore, type KeystoreFile } from '../../src/identity/keystore-format.ts';
import { scryptKey } from '../../src/identity/scrypt.ts';

// Unit tests use scrypt N = 2^10 (1 MiB, ~2 ms) through the `scryptN` creation option; the file
// records N, so opening needs no option. One test runs the real default (2^17) once.
const N = 1024;
const PASS = 'correct horse battery staple';
const provider = defaultProvider();
const root = await fs.mkdtemp(join(tmpdir(), 'pars-keystore-test-'));
after(() => fs.rm(root, { recursive: true, force: true }));

let counter = 0;
async function freshDir(): Promise<string> {
  return join(root, `d${counter++}`);
}

async function withKeystore(): Promise<{ dir: string; identity: Identity; path: string; text: string }> {
  const dir = await freshDir();
  const identity = Identity.generate(provider);
  await createKeystore(dir, identity, PASS, { scryptN: N });
  const path = keystorePath(dir);
  return { dir, identity, path, text: await fs.readFile(path, 'utf8') };
}

test('round trip: create then open gives back the same identity; modes are 0600 / 0700', async () => {
  const dir = await freshDir();
  const identity = Identity.generate(provider);
  const created = await createKeystore(dir, identity, PASS, { scryptN: N });
  assert.equal(created.nodeIdHex, identity.nodeIdHex);
  assert.equal(created.path, join(dir, 'keystore.json'));

  const opened = await openKeystore(dir, PASS);
  assert.equal(opened.identity.nodeIdHex, identity.nodeIdHex);
  assert.deepEqual(opened.identity.exportSeed(), identity.exportSeed());
  assert.deepEqual(opened.identity.kemPublicKey, identity.kemPublicKey);
  assert.equal(opened.looseMode, false);
  assert.equal(opened.file.kdf.N, N);

  if (process.platform !== 'win32') {
    assert.equal((await fs.stat(created.path)).mode & 0o777, 0o600);
    assert.equal((await fs.stat(dir)).mode & 0o777, 0o700);
  }
  const text = await fs.readFile(created.path, 'utf8');
  assert.ok(!text.includes(toHex(identity.exportSeed())), 'the seed is not stored in clear');
  assert.deepEqual(await fs.readdir(dir), ['keystore.json'], 'no temporary files left behind');
});

test('golden keystore vector (N = 2^10, zero seed) still opens', async () => {
  const dir = await freshDir();
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(keystorePath(dir), readFileSync(new URL('../vectors/identity/keystore-v1.json', import.meta.url)), { mode: 0o600 });
  const opened = await openKeystore(dir, 'pars-mesh test vector');
  assert.deepEqual(opened.identity.exportSeed(), new Uint8Array(32));
  assert.equal(opened.nodeIdHex, '6b315d5c20e9ebaf0ae33d87f0a81ca04f5c87124fa69961c4186ab5f40c0bf2');
});

test('the default scrypt cost is N = 2^17, r = 8, p = 1 and works within maxmem', async () => {
  const dir = await freshDir();
  const identity = Identity.generate(provider);
  await createKeystore(dir, identity, PASS);
  const info = await readKeystoreHeader(dir);
  assert.deepEqual([info.file.kdf.N, info.file.kdf.r, info.file.kdf.p], [2 ** 17, 8, 1]);
  assert.equal(SCRYPT_DEFAULTS.N, 2 ** 17);
  assert.equal((await openKeystore(dir, PASS)).identity.nodeIdHex, identity.nodeIdHex);
});

test('wrong passphrase: WrongPassphraseError and nothing changes on disk', async () => {
  const { dir, path, text } = await withKeystore();
  const before = await fs.stat(path);
  await assert.rejects(openKeystore(dir, 'Correct horse battery staple'), (err: unknown) => {
    assert.ok(err instanceof WrongPassphraseError);
    assert.equal(err.code, 'ERR_WRONG_PASSPHRASE');
    assert.match(err.message, /wrong passphrase/);
    assert.ok(!err.message.includes('Correct horse'), 'the passphrase is not echoed');
    return true;
  });
  const afterStat = await fs.stat(path);
  assert.equal(await fs.readFile(path, 'utf8'), text);
  assert.equal(afterStat.mtimeMs, before.mtimeMs);
  assert.equal(afterStat.mode, before.mode);
  assert.deepEqual(await fs.readdir(dir), ['keystore.json']);
});

test('empty passphrases are rejected on create and open', async () => {
  const dir = await freshDir();
  await assert.rejects(createKeystore(dir, Identity.generate(provider), '', { scryptN: N }), EmptyPassphraseError);
  await assert.rejects(fs.stat(keystorePath(dir)), { code: 'ENOENT' });
  const { dir: existing } = await withKeystore();
  await assert.rejects(openKeystore(existing, ''), { code: 'ERR_EMPTY_PASSPHRASE' });
});

test('passphrases are NFC-normalised: composed and decomposed é open the same keystore', async () => {
  const dir = await freshDir();
  const identity = Identity.generate(provider);
  await createKeystore(dir, identity, 'caf\u00e9 au lait', { scryptN: N });
  assert.equal((await openKeystore(dir, 'cafe\u0301 au lait')).identity.nodeIdHex, identity.nodeIdHex);
});

test('refuses to overwrite without force; force replaces', async () => {
  const { dir, path, text, identity } = await withKeystore();
  const other = Identity.generate(provider);
  await assert.rejects(createKeystore(dir, other, PASS, { scryptN: N }), (err: unknown) => {
    assert.ok(err instanceof KeystoreExistsError);
    assert.equal(err.code, 'ERR_KEYSTORE_EXISTS');
    return true;
  });
  assert.equal(await fs.readFile(path, 'utf8'), text);
  assert.equal((await openKeystore(dir, PASS)).identity.nodeIdHex, identity.nodeIdHex);

  await createKeystore(dir, other, 'new passphrase', { scryptN: N, force: true });
  assert.equal((await openKeystore(dir, 'new passphrase')).identity.nodeIdHex, other.nodeIdHex);
  assert.equal((await fs.stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await fs.readdir(dir), ['keystore.json']);
});

test('two concurrent creates: exactly one wins, the other gets KeystoreExistsError', async () => {
  const dir = await freshDir();
  const [a, b] = [Identity.generate(provider), Identity.generate(provider)];
  const results = await Promise.allSettled([createKeystore(dir, a, PASS, { scryptN: N }), createKeystore(dir, b, PASS, { scryptN: N })]);
  const ok = results.filter((r) => r.status === 'fulfilled');
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.equal(ok.length, 1);
  assert.equal(failed.length, 1);
  assert.ok(failed[0]?.reason instanceof KeystoreExistsError);
  const opened = await openKeystore(dir, PASS);
  assert.ok([a.nodeIdHex, b.nodeIdHex].includes(opened.nodeIdHex));
  assert.deepEqual(await fs.readdir(dir), ['keystore.json']);
});

test('missing keystore: KeystoreNotFoundError pointing at pars init', async () => {
  const dir = await freshDir();
  for (const attempt of [() => readKeystoreHeader(dir), () => openKeystore(dir, PASS)]) {
    await assert.rejects(attempt, (err: unknown) => {
      assert.ok(err instanceof KeystoreNotFoundError);
      assert.equal(err.code, 'ERR_KEYSTORE_NOT_FOUND');
      assert.match(err.message, /pars init/);
      return true;
    });
  }
});

test('a keystore readable by others is flagged (but still opens)', { skip: process.platform === 'win32' }, async () => {
  const { dir, path } = await withKeystore();
  await fs.chmod(path, 0o644);
  const info = await readKeystoreHeader(dir);
  assert.equal(info.looseMode, true);
  assert.equal(info.mode, 0o644);
  assert.equal((await openKeystore(dir, PASS)).looseMode, true);
});

test('invalid creation options are rejected before anything is written', async () => {
  for (const scryptN of [0, 1000, 2 ** 9, 2 ** 21, 2.5]) {
    const dir = await freshDir();
    await assert.rejects(createKeystore(dir, Identity.generate(provider), PASS, { scryptN }), KeystoreOptionError);
    await assert.rejects(fs.stat(keystorePath(dir)), { code: 'ENOENT' });
  }
});

type Mutation = (file: Record<string, unknown> & { kdf: Record<string, unknown> }) => void;
const flipFirstHex = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1);

// Tampering that keeps the file well-formed can only be detected by the AEAD, which cannot tell
// it from a wrong passphrase: WrongPassphraseError (whose message mentions modification).
const tamperings: Record<string, Mutation> = {
  'a flipped ciphertext byte': (f) => void (f['ciphertext'] = flipFirstHex(f['ciphertext'] as string)),
  'a flipped tag byte': (f) => {
    const ct = f['ciphertext'] as string;
    f['ciphertext'] = ct.slice(0, -1) + (ct.endsWith('0') ? '1' : '0');
  },
  'another node id in the header': (f) => void (f['nodeId'] = flipFirstHex(f['nodeId'] as string)),
  'a changed nonce': (f) => void (f['nonce'] = flipFirstHex(f['nonce'] as string)),
  'a changed salt': (f) => void (f.kdf['salt'] = flipFirstHex(f.kdf['salt'] as string)),
  'a changed N': (f) => void (f.kdf['N'] = 2048),
  'a changed r': (f) => void (f.kdf['r'] = 4),
  'a changed p': (f) => void (f.kdf['p'] = 2),
};

for (const [what, mutate] of Object.entries(tamperings)) {
  test(`tampering: ${what} → WrongPassphraseError`, async () => {
    const { dir, path, text } = await withKeystore();
    const file = JSON.parse(text);
    mutate(file);
    await fs.writeFile(path, JSON.stringify(file));
    await assert.rejects(openKeystore(dir, PASS), WrongPassphraseError);
  });
}

// Malformed files fail validation before any scrypt runs: KeystoreFormatError naming the problem,
// from readKeystoreHeader (no passphrase) and openKeystore alike.
const malformed: Record<string, [(text: string) => string | Uint8Array, RegExp]> = {
  'truncated JSON': [(t) => t.slice(0, t.length / 2), /not valid JSON/],
  'an empty file': [() => '', /not valid JSON/],
  'a JSON array': [() => '[]', /JSON object/],
  'JSON null': [() => 'null', /JSON object/],
  'bytes that are not UTF-8': [() => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /UTF-8/],
  'another format': [(t) => t.replace('"pars-keystore"', '"other-keystore"'), /"format"/],
  'a newer version': [(t) => t.replace('"version": 1', '"version": 2'), /newer/],
  'a string version': [(t) => t.replace('"version": 1', '"version": "1"'), /"version"/],
  'another kdf': [(t) => t.replace('"scrypt"', '"argon2id"'), /kdf\.name/],
  'another cipher': [(t) => t.replace('"aes-256-gcm"', '"chacha20-poly1305"'), /"cipher"/],
  'an unknown field': [(t) => t.replace('"version": 1', '"version": 1, "comment": "hi"'), /unknown field "comment"/],
  'a missing field': [(t) => JSON.stringify({ ...JSON.parse(t), nodeId: undefined }), /lacks the field "nodeId"/],
  'a truncated ciphertext': [(t) => edit(t, (f) => void (f['ciphertext'] = (f['ciphertext'] as string).slice(0, 40))), /"ciphertext" must be 48 bytes/],
  'an odd-length hex nonce': [(t) => edit(t, (f) => void (f['nonce'] = (f['nonce'] as string).slice(1))), /"nonce"/],
  'non-hex in nodeId': [(t) => edit(t, (f) => void (f['nodeId'] = `zz${(f['nodeId'] as string).slice(2)}`)), /"nodeId" must be lower-case hex/],
  'upper-case hex': [(t) => edit(t, (f) => void (f['nodeId'] = (f['nodeId'] as string).toUpperCase().replace(/^[0-9]/, 'A'))), /lower-case hex/],
  'a too-short salt': [(t) => edit(t, (f) => void (f.kdf['salt'] = '00')), /kdf\.salt/],
  'an absurd N (2^30)': [(t) => edit(t, (f) => void (f.kdf['N'] = 2 ** 30)), /scrypt N/],
  'N not a power of two': [(t) => edit(t, (f) => void (f.kdf['N'] = 3000)), /scrypt N/],
  'a tiny N': [(t) => edit(t, (f) => void (f.kdf['N'] = 2)), /scrypt N/],
  'N as a string': [(t) => edit(t, (f) => void (f.kdf['N'] = '1024')), /scrypt N/],
  'an absurd r': [(t) => edit(t, (f) => void (f.kdf['r'] = 1000)), /scrypt r/],
  'an absurd p': [(t) => edit(t, (f) => void (f.kdf['p'] = 1e9)), /scrypt p/],
  'N·r over the memory cap': [(t) => edit(t, (f) => void Object.assign(f.kdf, { N: 2 ** 20, r: 32 })), /MiB/],
  'a huge file': [(t) => t + ' '.repeat(70_000), /byte limit/],
};

function edit(text: string, mutate: Mutation): string {
  const file = JSON.parse(text);
  mutate(file);
  return JSON.stringify(file);
}

for (const [what, [corrupt, message]] of Object.entries(malformed)) {
  test(`malformed: ${what} → KeystoreFormatError`, async () => {
    const { dir, path, text } = await withKeystore();
    await fs.writeFile(path, corrupt(text));
    for (const attempt of [() => readKeystoreHeader(dir), () => openKeystore(dir, PASS)]) {
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(err instanceof KeystoreFormatError, `got ${String(err)}`);
        assert.equal(err.code, 'ERR_KEYSTORE_FORMAT');
        assert.match(err.message, message);
        return true;
      });
    }
  });
}

test('malformed: keystore.json is a directory → KeystoreFormatError', async () => {
  const dir = await freshDir();
  await fs.mkdir(keystorePath(dir), { recursive: true });
  await assert.rejects(readKeystoreHeader(dir), /not a regular file/);
});

test('a header node id that does not match the sealed seed is a format error', async () => {
  // A well-formed file whose AAD is consistent, but whose writer recorded the wrong node id.
  const dir = await freshDir();
  await fs.mkdir(dir, { recursive: true });
  const identity = Identity.generate(provider);
  const salt = provider.randomBytes(32);
  const nonce = provider.randomBytes(12);
  const header = {
    format: 'pars-keystore',
    version: 1,
    kdf: { name: 'scrypt', N, r: 8, p: 1, salt: toHex(salt) },
    cipher: 'aes-256-gcm',
    nodeId: Identity.generate(provider).nodeIdHex,
  } as const;
  const key = await scryptKey(new TextEncoder().encode(PASS), salt, N, 8, 1);
  const sealed = provider.aes256Gcm.seal(key, nonce, identity.exportSeed(), keystoreAad(header));
  const file: KeystoreFile = { ...header, nonce: toHex(nonce), ciphertext: toHex(sealed) };
  await fs.writeFile(keystorePath(dir), serializeKeystore(file));
  await assert.rejects(openKeystore(dir, PASS), (err: unknown) => err instanceof KeystoreFormatError && /does not match/.test(err.message));
});
