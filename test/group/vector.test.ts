import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { defaultProvider, fromHex, toHex, utf8 } from '../../src/crypto/index.ts';
import { chainRoot, decodeControl, deriveGroupKeys, encodeControl, openEnvelope, ownKemKey, ratchetStep, readEnvelopeHeader, sealEnvelope } from '../../src/group/index.ts';

const vector = JSON.parse(readFileSync(new URL('../vectors/group/group-v1.json', import.meta.url), 'utf8')) as Record<string, string | number>;
const hex = (k: string): Uint8Array => fromHex(vector[k] as string);
const provider = defaultProvider(); // the noble run (PARS_CRYPTO=noble) checks the other provider

test(`group v1 golden vector: key derivation, chain, message and control payloads (${provider.name})`, () => {
  const keys = deriveGroupKeys(provider, hex('groupSecret'));
  assert.equal(toHex(keys.groupId), vector['groupId']);
  assert.equal(toHex(keys.topic), vector['topic']);
  assert.equal(toHex(keys.controlKey), vector['controlKey']);
  assert.equal(toHex(keys.headerKey), vector['headerKey']);
  const root = chainRoot(provider, hex('epochSecret'), keys.groupId, hex('sender'), vector['epoch'] as number);
  assert.equal(toHex(root), vector['chainRoot']);
  const s0 = ratchetStep(provider, root);
  const s1 = ratchetStep(provider, s0.next);
  assert.deepEqual([toHex(s0.messageKey), toHex(s1.messageKey)], vector['messageKeys']);
  const message = sealEnvelope(provider, {
    headerKey: keys.headerKey,
    bodyKey: s1.messageKey,
    nonce: hex('nonce'),
    header: { kind: 'message', epoch: vector['epoch'] as number, index: 1 },
    topic: keys.topic,
    author: hex('sender'),
    content: utf8(vector['content'] as string),
  });
  assert.equal(toHex(message), vector['messagePayload']);
  const header = readEnvelopeHeader(provider, hex('messagePayload'), keys.headerKey);
  assert.ok(header.ok);
  assert.deepEqual(header.value, { kind: 'message', epoch: 3, index: 1 });
  const opened = openEnvelope(provider, hex('messagePayload'), header.value, s1.messageKey, keys.topic, hex('sender'));
  assert.ok(opened.ok);
  assert.equal(new TextDecoder().decode(opened.value), vector['content']);

  const kem = ownKemKey(provider, hex('kemSeed'));
  assert.equal(kem.keyIdHex, vector['keyId']);
  const plain = encodeControl([{ o: 'create', name: vector['groupName'] as string, kemKey: kem.publicKey }]);
  assert.equal(toHex(plain), vector['controlPlaintext']);
  const ops = decodeControl(plain);
  assert.ok(ops.ok && ops.value[0]?.o === 'create');
  const control = sealEnvelope(provider, { headerKey: keys.headerKey, bodyKey: keys.controlKey, nonce: hex('nonce'), header: { kind: 'control', epoch: 0, index: 0 }, topic: keys.topic, author: hex('sender'), content: plain });
  assert.equal(toHex(control), vector['controlPayload']);
});
