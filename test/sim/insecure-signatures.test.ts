import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CryptoProviderUnavailableError, defaultProvider, providerByName, utf8 } from '../../src/crypto/index.ts';
import { createVertex, KeyRing, validateVertex, VERTEX_SIGNATURE_CONTEXT } from '../../src/dag/index.ts';
import { NodeError, VerifyPool } from '../../src/node/index.ts';
import { INSECURE_SIMULATION_PROVIDER_NAME, InsecureSimulationError, insecureSimulationProvider } from '../../src/sim/insecure-signatures.ts';
import { provider } from '../support/fixtures.ts';

const insecure = insecureSimulationProvider(provider);

describe('insecure simulation signatures', () => {
  it('have ML-DSA-65 sizes and verify what they signed', () => {
    const pair = insecure.mlDsa65.keyPair(new Uint8Array(32).fill(1));
    assert.equal(pair.publicKey.length, 1952);
    const message = utf8('a vertex');
    const sig = pair.sign(message, VERTEX_SIGNATURE_CONTEXT);
    assert.equal(sig.length, 3309);
    assert.equal(insecure.mlDsa65.verify(pair.publicKey, message, sig, VERTEX_SIGNATURE_CONTEXT), true);
    assert.equal(insecure.mlDsa65.verifier(pair.publicKey).verify(message, sig, VERTEX_SIGNATURE_CONTEXT), true);
  });

  it('reject tampering with the message, the signature, the context or the key', () => {
    const pair = insecure.mlDsa65.keyPair(new Uint8Array(32).fill(2));
    const other = insecure.mlDsa65.keyPair(new Uint8Array(32).fill(3));
    const message = utf8('pay 10 to bob');
    const sig = pair.sign(message, VERTEX_SIGNATURE_CONTEXT);
    const flipped = Uint8Array.from(message);
    flipped[0] = (flipped[0] as number) ^ 1;
    assert.equal(insecure.mlDsa65.verify(pair.publicKey, flipped, sig, VERTEX_SIGNATURE_CONTEXT), false);
    for (const i of [0, 31, 3308]) {
      const bad = Uint8Array.from(sig);
      bad[i] = (bad[i] as number) ^ 0x80;
      // Bytes past the hash are padding, but a changed byte anywhere still fails the comparison.
      assert.equal(insecure.mlDsa65.verify(pair.publicKey, message, bad, VERTEX_SIGNATURE_CONTEXT), false, `byte ${i}`);
    }
    assert.equal(insecure.mlDsa65.verify(pair.publicKey, message, sig.subarray(0, 3308), VERTEX_SIGNATURE_CONTEXT), false);
    assert.equal(insecure.mlDsa65.verify(pair.publicKey, message, sig, utf8('another context')), false);
    assert.equal(insecure.mlDsa65.verify(other.publicKey, message, sig, VERTEX_SIGNATURE_CONTEXT), false);
    assert.throws(() => insecure.mlDsa65.keyPair(new Uint8Array(31)), InsecureSimulationError);
  });

  it('vertices signed with them pass the DAG checks under the simulator and fail under a real provider', () => {
    const pair = insecure.mlDsa65.keyPair(new Uint8Array(32).fill(4));
    const author = insecure.sha3_256(pair.publicKey);
    const v = createVertex({ topic: new Uint8Array(16), parents: [], lamport: 1, payload: utf8('hi') }, { author, sign: pair.sign }, insecure);
    const simRing = new KeyRing(insecure);
    simRing.add({ algorithm: 'ml-dsa-65', publicKey: pair.publicKey });
    assert.equal(validateVertex(v.bytes, simRing, insecure).ok, true);
    const tampered = Uint8Array.from(v.bytes);
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] as number) ^ 1; // inside the payload
    const r = validateVertex(tampered, simRing, insecure);
    assert.equal(r.ok, false);
    const realRing = new KeyRing(provider);
    realRing.add({ algorithm: 'ml-dsa-65', publicKey: pair.publicKey });
    const real = validateVertex(v.bytes, realRing, provider);
    assert.equal(real.ok, false);
    if (!real.ok) assert.equal(real.reason, 'bad-signature');
  });

  it('cannot be selected by name or PARS_CRYPTO, and the node refuses to verify with it', async () => {
    assert.equal(insecure.name, INSECURE_SIMULATION_PROVIDER_NAME);
    // providerByName only knows the real providers: the simulator's name (or any other) is refused.
    assert.throws(() => providerByName(INSECURE_SIMULATION_PROVIDER_NAME as never), CryptoProviderUnavailableError);
    assert.throws(() => providerByName('nonsense' as never), CryptoProviderUnavailableError);
    const saved = process.env['PARS_CRYPTO'];
    process.env['PARS_CRYPTO'] = INSECURE_SIMULATION_PROVIDER_NAME;
    try {
      assert.throws(() => defaultProvider(), CryptoProviderUnavailableError);
    } finally {
      if (saved === undefined) delete process.env['PARS_CRYPTO'];
      else process.env['PARS_CRYPTO'] = saved;
    }
    assert.throws(
      () => new VerifyPool({ provider: insecure, workers: 1 }),
      (e: unknown) => e instanceof NodeError && e.code === 'ERR_INSECURE_PROVIDER',
    );
  });
});
