import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { noise } from '@chainsafe/libp2p-noise';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p } from '@libp2p/interface';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { Identity } from '../../../src/identity/index.ts';
import { connectionEncrypters, PQ_PROTOCOL } from '../../../src/net/index.ts';
import { provider } from './pq-fixture.ts';

// The encrypter inside real libp2p nodes over TCP on loopback.

const nodes: Libp2p[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

async function node(encrypter: 'pq' | 'noise' = 'pq'): Promise<Libp2p<{ ping: Ping }>> {
  const encrypters = encrypter === 'pq' ? connectionEncrypters(Identity.generate(provider)) : [noise()];
  const n = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: encrypters,
    streamMuxers: [yamux()],
    services: { ping: ping() },
  });
  nodes.push(n);
  return n;
}

const ECHO = '/pars-test/echo/1.0.0';

test('two nodes connect over the PQ encrypter (and nothing else), ping, and move 5 MB both ways intact', async () => {
  const [a, b] = [await node(), await node()];
  await b.handle(ECHO, async (stream) => {
    for await (const chunk of stream) stream.send(chunk.subarray());
    await stream.close();
  });
  const connection = await a.dial(b.getMultiaddrs()[0] ?? assert.fail('no address'));
  assert.equal(connection.encryption, PQ_PROTOCOL);
  assert.equal(connection.remotePeer.toString(), b.peerId.toString());
  while (b.getConnections(a.peerId).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const inbound = b.getConnections(a.peerId)[0] ?? assert.fail('no inbound connection');
  assert.equal(inbound.encryption, PQ_PROTOCOL);
  assert.ok((await a.services.ping.ping(b.peerId)) >= 0);

  // 5 MB in uneven pieces: records are cut at 256 KiB and joined again on the other side.
  const sent = new Uint8Array(randomBytes(5_000_000));
  const stream = await a.dialProtocol(b.peerId, ECHO);
  const received: Uint8Array[] = [];
  const reading = (async (): Promise<void> => {
    for await (const chunk of stream) received.push(chunk.subarray());
  })();
  for (let at = 0; at < sent.length; at += 700_001) {
    if (!stream.send(sent.subarray(at, Math.min(sent.length, at + 700_001)))) await stream.onDrain();
  }
  await stream.close();
  await reading;
  assert.deepEqual(Buffer.concat(received), Buffer.from(sent));
});

test('a Noise-only node can neither dial a PQ node nor be dialled by one', async () => {
  const [pq, plain] = [await node(), await node('noise')];
  await assert.rejects(plain.dial(pq.getMultiaddrs()[0] ?? assert.fail('no address')));
  await assert.rejects(pq.dial(plain.getMultiaddrs()[0] ?? assert.fail('no address')));
  assert.equal(pq.getConnections().length, 0);
});

test('a dial to an address with another node\'s peer id is refused', async () => {
  const [a, b, c] = [await node(), await node(), await node()];
  const wrong = multiaddr(`${(b.getMultiaddrs()[0] ?? assert.fail('no address')).toString().split('/p2p/')[0] ?? ''}/p2p/${c.peerId.toString()}`);
  await assert.rejects(a.dial(wrong));
  assert.equal(a.getConnections(c.peerId).length, 0);
});
