import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DnsBootstrapError, resolveDnsBootstrap } from '../../src/net/index.ts';
import { startDnsResponder } from './dns-responder.ts';

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
