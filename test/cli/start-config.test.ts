import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyFlags, DEFAULT_CONFIG, loadConfig, meshNetOptions, parseConfig } from '../../src/cli/config.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('pars-config-');
const PEER = '/ip4/192.168.1.7/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';

test('config: a missing file is the defaults; a full file is read; flags win and --peer adds', async () => {
  assert.deepEqual(await loadConfig(join(dir, 'nowhere')), DEFAULT_CONFIG);
  assert.deepEqual(meshNetOptions(DEFAULT_CONFIG), { listen: ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws'], mdns: {}, peers: [], limits: {} });
  await fs.writeFile(join(dir, 'config.json'), JSON.stringify({ listen: { host: '::1', tcpPort: 4001, wsPort: false }, mdns: false, peers: [PEER], limits: { maxConnections: 8 } }));
  const config = await loadConfig(dir);
  assert.deepEqual(meshNetOptions(config), { listen: ['/ip6/::1/tcp/4001'], mdns: false, peers: [PEER], limits: { maxConnections: 8 } });
  const other = PEER.replace('192.168.1.7', '192.168.1.8');
  const flagged = applyFlags(config, { listenHost: '127.0.0.1', tcpPort: '0', wsPort: '4002', peer: [other, PEER] });
  assert.deepEqual(flagged.listen, { host: '127.0.0.1', tcpPort: 0, wsPort: 4002 });
  assert.deepEqual(flagged.peers, [PEER, other]);
  assert.equal(applyFlags(DEFAULT_CONFIG, { mdns: true }).mdns, true, 'commander’s default leaves the file’s value');
  assert.equal(applyFlags(DEFAULT_CONFIG, { mdns: false }).mdns, false);
});

test('config: each bad value is refused with the field it is in', () => {
  const refuses = (raw: unknown, field: RegExp): void => assert.throws(() => parseConfig(raw, 'config.json'), (e: Error & { code?: string }) => e.code === 'ERR_CONFIG' && field.test(e.message));
  refuses([], /config\.json: must be a JSON object/);
  refuses({ listen: { port: 1 } }, /field "listen\.port" is not a known field/);
  refuses({ listn: {} }, /field "listn" is not a known field/);
  refuses({ listen: { host: 'example.org' } }, /field "listen\.host" must be an IPv4 or IPv6 address/);
  refuses({ listen: { tcpPort: 70_000 } }, /field "listen\.tcpPort" must be a port number/);
  refuses({ listen: { wsPort: true } }, /field "listen\.wsPort"/);
  refuses({ mdns: 'yes' }, /field "mdns" must be true or false/);
  refuses({ peers: '/ip4/1.2.3.4/tcp/1' }, /field "peers" must be a list/);
  refuses({ peers: ['/ip4/1.2.3.4/tcp/1'] }, /field "peers\[0\]" must end in \/p2p\/<peer id>/);
  refuses({ peers: ['not an address'] }, /field "peers\[0\]" is not a multiaddr/);
  refuses({ limits: { maxConnectons: 3 } }, /field "limits\.maxConnectons" is not a known field/);
  refuses({ limits: { banMs: -1 } }, /field "limits\.banMs" must be a positive number/);
  refuses({ limits: { streamWindowBytes: 1024 } }, /field "limits" streamWindowBytes is at least/);
  assert.throws(() => applyFlags(DEFAULT_CONFIG, { tcpPort: 'http' }), /command line: field "--tcp-port" must be a port number/);
  assert.throws(() => applyFlags(DEFAULT_CONFIG, { peer: ['/ip4/1.2.3.4/tcp/1'] }), /field "--peer #1" must end in/);
});

test('config: a file that is not JSON, or too large, is refused before it is used', async () => {
  const bad = tempDir('pars-config-bad-');
  await fs.writeFile(join(bad, 'config.json'), '{"mdns": true,');
  await assert.rejects(loadConfig(bad), /config\.json: is not valid JSON/);
  await fs.writeFile(join(bad, 'config.json'), `{"peers": [], "x": "${'a'.repeat(70_000)}"}`);
  await assert.rejects(loadConfig(bad), /more than the 65536 a config file may have/);
});
