import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, meshNetOptions, parseConfig } from '../../src/cli/config.ts';
import { courierQuotasOf, DEFAULT_COURIER_QUOTAS } from '../../src/node/courier-quotas.ts';

test('config: courier quotas are read, passed to the node, and default when absent', () => {
  assert.deepEqual(DEFAULT_CONFIG.courier, {});
  assert.deepEqual(courierQuotasOf(meshNetOptions(DEFAULT_CONFIG).courier), DEFAULT_COURIER_QUOTAS);
  const config = parseConfig({ courier: { maxTopicBytes: 1_048_576, maxTotalBytes: 0, peerWindowMs: 60_000 } }, 'config.json');
  assert.deepEqual(meshNetOptions(config).courier, { maxTopicBytes: 1_048_576, maxTotalBytes: 0, peerWindowMs: 60_000 });
  assert.deepEqual(courierQuotasOf(meshNetOptions(config).courier), { ...DEFAULT_COURIER_QUOTAS, maxTopicBytes: 1_048_576, maxTotalBytes: 0, peerWindowMs: 60_000 });
});

test('config: a bad courier quota is refused with its field', () => {
  const refuses = (raw: unknown, message: RegExp): void =>
    assert.throws(() => parseConfig(raw, 'config.json'), (e: Error & { code?: string }) => e.code === 'ERR_CONFIG' && message.test(e.message), String(JSON.stringify(raw)));
  refuses({ courier: 5 }, /field "courier" must be a JSON object/);
  refuses({ courier: { maxTopic: 1 } }, /field "courier\.maxTopic" is not a known field \(known: maxTopicBytes, maxTotalBytes, maxPeerBytes, peerWindowMs\)/);
  refuses({ courier: { maxTotalBytes: -1 } }, /field "courier\.maxTotalBytes" must be a whole number >= 0 \(bytes\), got -1/);
  refuses({ courier: { maxPeerBytes: '64 MiB' } }, /field "courier\.maxPeerBytes" must be a whole number/);
  refuses({ courier: { peerWindowMs: 0 } }, /field "courier\.peerWindowMs" must be a whole number >= 1 \(milliseconds\)/);
});
