import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DnsBootstrapError, resolveDnsBootstrap } from '../../src/net/index.ts';
import { tempDir } from '../support/tmp.ts';
import { startDnsResponder } from './dns-responder.ts';
import { startMesh, until } from './mesh-support.ts';

const PEER = '12D3KooWEDwQU8GPJH5knDej6eccTa8HT8vRRPSdhUR7t8CPmsye';

test('DNS bootstrap: the TXT records dnsaddr=<multiaddr> of the configured name, from the configured resolver', async () => {
  const dns = await startDnsResponder({
    '_dnsaddr.boot.test': [`dnsaddr=/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`, 'v=spf1 -all', 'dnsaddr=/ip4/127.0.0.1/tcp/4002', 'dnsaddr=not-a-multiaddr', `dnsaddr=/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`],
  });
  try {
    assert.deepEqual(await resolveDnsBootstrap({ name: '_dnsaddr.boot.test', servers: [dns.server] }), [`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`], 'only dnsaddr entries that name their peer, once');
    await assert.rejects(resolveDnsBootstrap({ name: 'missing.test', servers: [dns.server], timeoutMs: 2_000 }), DnsBootstrapError);
  } finally {
    await dns.close();
  }
});

test('DNS bootstrap end to end: a node configured with only a DNS name connects to the node it names', async (t) => {
  const dir = tempDir('pars-dns-bootstrap-');
  const a = await startMesh(dir, 'a', 41);
  const dns = await startDnsResponder({ '_dnsaddr.mesh.test': a.multiaddrs().filter((m) => m.includes('/tcp/')).map((m) => `dnsaddr=${m}`) });
  t.after(() => dns.close());
  const b = await startMesh(dir, 'b', 42, { bootstrapDns: { name: '_dnsaddr.mesh.test', servers: [dns.server] } });
  await until(() => b.peers().connected.some((p) => p.peerId === a.net.peerId), 20_000, 'B to connect to the node the DNS name gives');
  assert.equal(b.status().state, 'online');
});
