import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseListenPorts, listeningPorts, PORTS_FILE, readRememberedPorts, rememberPorts } from '../../src/cli/listen-ports.ts';
import { tempDir } from '../support/tmp.ts';

const root = tempDir('pars-ports-');
let dirs = 0;
const dataDir = async (): Promise<string> => {
  const dir = join(root, `d${dirs++}`);
  await fs.mkdir(dir, { mode: 0o700 });
  return dir;
};

async function held(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await held();
  await new Promise((r) => server.close(r));
  return port;
}

test('remembered ports round-trip through ports.json (mode 0600); a missing file means none', async () => {
  const dir = await dataDir();
  const warnings: string[] = [];
  assert.deepEqual(await readRememberedPorts(dir, (m) => warnings.push(m)), {});
  await rememberPorts(dir, { tcp: 4101, ws: 4102 });
  assert.deepEqual(await readRememberedPorts(dir, (m) => warnings.push(m)), { tcp: 4101, ws: 4102 });
  assert.equal((await fs.stat(join(dir, PORTS_FILE))).mode & 0o777, 0o600);
  await rememberPorts(dir, { tcp: 4103 });
  assert.deepEqual(await readRememberedPorts(dir, (m) => warnings.push(m)), { tcp: 4103 }, 'a listener that was off is left out');
  assert.deepEqual(await fs.readdir(dir), [PORTS_FILE], 'no partial file left');
  assert.deepEqual(warnings, []);
});

test('a damaged ports.json is ignored with a warning that names it, never an error', async () => {
  for (const text of ['{"tcp":', '[4001]', '{"tcp":0}', '{"tcp":70000}', '{"tcp":40.5}', '{"udp":4001}', '{"tcp":"4001"}', 'null', ' '.repeat(300)]) {
    const dir = await dataDir();
    await fs.writeFile(join(dir, PORTS_FILE), text);
    const warnings: string[] = [];
    assert.deepEqual(await readRememberedPorts(dir, (m) => warnings.push(m)), {}, text);
    assert.equal(warnings.length, 1, text);
    assert.match(warnings[0] as string, new RegExp(`${PORTS_FILE}.*listening on free ports`), text);
  }
});

test('an unset port is the last start\'s while it is free; configured ports are kept as they are', async () => {
  const [tcp, ws] = [await freePort(), await freePort()];
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  const host = '127.0.0.1';
  assert.deepEqual(await chooseListenPorts({ host, tcpPort: undefined, wsPort: undefined }, { tcp, ws }, warn), { host, tcpPort: tcp, wsPort: ws });
  assert.deepEqual(await chooseListenPorts({ host, tcpPort: undefined, wsPort: undefined }, {}, warn), { host, tcpPort: 0, wsPort: 0 }, 'first start: any free port');
  assert.deepEqual(await chooseListenPorts({ host, tcpPort: 0, wsPort: false }, { tcp, ws }, warn), { host, tcpPort: 0, wsPort: false }, '0 and false win over the file');
  assert.deepEqual(await chooseListenPorts({ host, tcpPort: 4001, wsPort: undefined }, { tcp, ws }, warn), { host, tcpPort: 4001, wsPort: ws });
  assert.deepEqual(await chooseListenPorts({ host, tcpPort: undefined, wsPort: undefined }, { tcp, ws: tcp }, warn), { host, tcpPort: tcp, wsPort: 0 }, 'never the same port for both');
  assert.deepEqual(warnings, []);
});

test('a remembered port that another process holds gives way to a free one, with a warning', async () => {
  const { server, port } = await held();
  try {
    const warnings: string[] = [];
    const chosen = await chooseListenPorts({ host: '127.0.0.1', tcpPort: undefined, wsPort: undefined }, { tcp: port }, (m) => warnings.push(m));
    assert.deepEqual(chosen, { host: '127.0.0.1', tcpPort: 0, wsPort: 0 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, new RegExp(`TCP port ${port} of the last start is taken`));
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('listening ports are read off the node\'s multiaddrs: plain TCP and WebSocket apart', () => {
  const peer = '12D3KooWFWp1Mr7CnF7hcxiZBHsZu4dvjNxY1LqBB6SSyw1XrBZz';
  assert.deepEqual(listeningPorts([`/ip4/127.0.0.1/tcp/44317/p2p/${peer}`, `/ip4/127.0.0.1/tcp/37403/ws/p2p/${peer}`, `/ip4/192.168.1.9/tcp/44317/p2p/${peer}`]), { tcp: 44317, ws: 37403 });
  assert.deepEqual(listeningPorts([`/ip6/::1/tcp/4001/ws/p2p/${peer}`]), { ws: 4001 });
  assert.deepEqual(listeningPorts([]), {});
});
