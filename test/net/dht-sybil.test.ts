import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The burst runs in a child process, as the discovery network does (see dht-discovery.test.ts).
const child = fileURLToPath(new URL('./dht-sybil-child.ts', import.meta.url));
const HONEST = 5;
const SYBILS = 100;

test(`DHT under a Sybil burst of ${SYBILS} made-up peer ids: no crash, bounded state, honest lookups still succeed`, { timeout: 150_000 }, () => {
  const out = execFileSync(process.execPath, [child, String(HONEST), String(SYBILS)], { encoding: 'utf8', timeout: 140_000, maxBuffer: 16 * 1024 * 1024 });
  const r = JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.sent, SYBILS);
  const lookups = r.lookups as { peerId: string; found: string[]; unfiltered: number }[];
  assert.equal(lookups.length, HONEST);
  for (const h of lookups) {
    const others = lookups.filter((x) => x !== h).map((x) => x.peerId);
    assert.deepEqual([...h.found].sort(), others.sort(), 'every honest member is found');
    assert.equal(h.unfiltered, HONEST - 1, 'providers without a verified presence record are dropped');
  }
  assert.ok((r.heapUsed as number) < 1024 * 1024 * 1024, 'heap stays bounded');
  assert.deepEqual(r.otherEncryptions, [], 'every connection of the honest hosts used the post-quantum encrypter');
});
