import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFlags, DEFAULT_CONFIG, meshNetOptions, parseConfig } from '../../src/cli/config.ts';

const PEER = '/ip4/203.0.113.5/tcp/4001/p2p/12D3KooWEDwQU8GPJH5knDej6eccTa8HT8vRRPSdhUR7t8CPmsye';
const OTHER = '/ip4/203.0.113.6/tcp/4001/p2p/12D3KooWHGZEb2jTyRbSPsBZsCdkhYZ4kV4a4FyVCEjfc3Jvn9v5';

test('config: bootstrap nodes, the DNS bootstrap name and the DHT switch reach the node; --bootstrap adds, --no-dht turns it off', () => {
  assert.deepEqual(DEFAULT_CONFIG.bootstrap, []);
  assert.equal(DEFAULT_CONFIG.dht, true);
  const config = parseConfig({ bootstrap: [PEER], bootstrapDns: '_dnsaddr.boot.example.org', bootstrapDnsServers: ['127.0.0.1:5353', '[::1]:53', '9.9.9.9'] }, 'test');
  const net = meshNetOptions(config);
  assert.deepEqual(net.bootstrap, [PEER]);
  assert.deepEqual(net.bootstrapDns, { name: '_dnsaddr.boot.example.org', servers: ['127.0.0.1:5353', '[::1]:53', '9.9.9.9'] });
  assert.equal(net.dht, undefined, 'the DHT is on unless turned off');
  const flagged = applyFlags(config, { bootstrap: [OTHER, PEER], dht: false });
  assert.deepEqual(flagged.bootstrap, [PEER, OTHER]);
  assert.equal(meshNetOptions(flagged).dht, false);
  assert.equal(meshNetOptions(parseConfig({ dht: false }, 'test')).dht, false);
  assert.equal(meshNetOptions(DEFAULT_CONFIG).bootstrapDns, undefined, 'DNS is asked only when a name is configured');
});

test('config: bad bootstrap values are refused with their field', () => {
  assert.throws(() => parseConfig({ bootstrap: ['/ip4/1.2.3.4/tcp/1'] }, 'f'), /field "bootstrap\[0\]" must end in/);
  assert.throws(() => parseConfig({ bootstrap: 'x' }, 'f'), /field "bootstrap" must be a list/);
  assert.throws(() => parseConfig({ bootstrapDns: 'no spaces allowed' }, 'f'), /field "bootstrapDns" must be a DNS name/);
  assert.throws(() => parseConfig({ bootstrapDnsServers: ['dns.example.org'] }, 'f'), /field "bootstrapDnsServers\[0\]"/);
  assert.throws(() => parseConfig({ dht: 'yes' }, 'f'), /field "dht" must be true or false/);
  assert.throws(() => applyFlags(DEFAULT_CONFIG, { bootstrap: ['/ip4/1.2.3.4/tcp/1'] }), /field "--bootstrap #1" must end in/);
});
