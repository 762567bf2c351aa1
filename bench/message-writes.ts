// Benchmark `message-writes`: how many bytes a node writes to disk for one chat message, sent and
// received, each in its own durable commit, as people chat. A message's commit touches a handful
// of small tables (the vertex, its topic index, the frontier, the group log, the group's sealed
// secrets), and SQLite's WAL writes every page a commit touches whole, so the page size sets the
// cost: on a phone's or a cheap laptop's flash, every byte written is time, battery and wear.
//
// Two nodes (real crypto, real SQLite, NodeGroups) share a group in one process with no network:
// the sender's `send` commits the message; its vertex is then handed to the receiver's ingester,
// which verifies, commits and opens it. Bytes written are the process's write calls
// (/proc/self/io), SQLite's WAL frames and checkpoint copies included, counted over each side
// apart. The limit is a multiple of the message vertex's own encoded size, measured in the run.
//
// `--page-bytes` gives both stores another page size than a new node's, to compare.
//
//   npm run bench -- message-writes [--messages N] [--warm W] [--text CHARS] [--page-bytes B]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultProvider, fromHex } from '../src/crypto/index.ts';
import { Ingester, NodeGroups } from '../src/node/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { identityOf } from '../test/support/fixtures.ts';
import { bytesWritten } from './support/bytes-written.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '400' },
    warm: { type: 'string', default: '50' },
    text: { type: 'string', default: '120' },
    'page-bytes': { type: 'string', default: '' },
  },
});
const messages = Number(values.messages);
const warm = Number(values.warm);
const textChars = Number(values.text);
for (const [name, value] of [['messages', messages], ['warm', warm], ['text', textChars]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
}
const pageOption = values['page-bytes'] === '' ? {} : { pageBytes: Number(values['page-bytes']) };
if (Number.isNaN(bytesWritten())) throw new Error('bench message-writes needs /proc/self/io (Linux)');

/**
 * Bytes written per message, on either side, may be at most this many times the message vertex's
 * encoded size. A commit writes each page it touches whole, and a message's touches about ten
 * (the vertex, its topic index, the frontier, the group log and its index, the group's secrets,
 * the file header; the sender also keeps and then drops the content before it signs): with 4 KiB
 * pages about 40 to 60 KB, 12 to 16 times a short message's 3.8 KB vertex.
 */
const TARGET_WRITTEN_OVER_ENCODED = 20;

const provider = defaultProvider();
const dir = mkdtempSync(join(tmpdir(), 'pars-bench-writes-'));
let clock = Date.UTC(2026, 0, 1);
const node = (name: string, n: number): { ingester: Ingester; groups: NodeGroups } => {
  const ingester = new Ingester({ provider, store: SqliteStore.open(join(dir, `${name}.sqlite`), pageOption), workers: 1 });
  return { ingester, groups: new NodeGroups(ingester, identityOf(n), { now: () => clock }) };
};
const sender = node('sender', 1);
const receiver = node('receiver', 2);

/** Hands the vertices of `from` that `to` lacks to its ingester in one call, as a sync would. */
async function carry(from: typeof sender, to: typeof sender): Promise<void> {
  for (const key of from.ingester.store.keys()) to.ingester.addKey(key);
  const bytes = [...from.ingester.dag.topologicalOrder()].filter((v) => !to.ingester.dag.has(v.key)).map((v) => from.ingester.store.getVertexBytes(v.id) as Uint8Array);
  const report = await to.ingester.ingest(bytes, 'bench');
  if (report.rejected.length > 0) throw new Error(`carry: ${report.rejected.length} rejected`);
  await to.groups.idle();
}

const group = await sender.groups.createGroup('bench');
await receiver.groups.join(await sender.groups.invite(group, 3600));
await carry(receiver, sender);
await carry(sender, receiver);

const filler = 'The bridge on the north road is open again; bring water and the spare radio. ';
const text = (i: number): string => `${i} ${filler.repeat(Math.ceil(textChars / filler.length))}`.slice(0, textChars);

/** One message, sent then received; bytes written on each side and the vertex's encoded size. */
async function exchange(i: number): Promise<{ sent: number; received: number; encoded: number }> {
  clock += 1000;
  const before = bytesWritten();
  const id = await sender.groups.send(group, text(i));
  const afterSend = bytesWritten();
  await carry(sender, receiver);
  const afterReceive = bytesWritten();
  const encoded = (sender.ingester.store.getVertexBytes(fromHex(id)) as Uint8Array).length;
  return { sent: afterSend - before, received: afterReceive - afterSend, encoded };
}

for (let i = 0; i < warm; i++) await exchange(i);
let sent = 0;
let received = 0;
let encoded = 0;
for (let i = 0; i < messages; i++) {
  const r = await exchange(warm + i);
  sent += r.sent;
  received += r.received;
  encoded += r.encoded;
}
const readable = receiver.groups.log(group).length;
if (readable !== warm + messages) throw new Error(`the receiver reads ${readable} of ${warm + messages} messages`);
const pageBytes = sender.ingester.store.pageBytes;
for (const n of [sender, receiver]) {
  await n.groups.close();
  await n.ingester.close();
  n.ingester.store.close();
}
rmSync(dir, { recursive: true, force: true });

const encodedPerMessage = encoded / messages;
const sentPer = sent / messages;
const receivedPer = received / messages;
console.log(
  JSON.stringify({
    bench: 'message-writes',
    provider: provider.name,
    messages,
    text_chars: textChars,
    page_bytes: pageBytes,
    encoded_bytes_per_message: Math.round(encodedPerMessage),
    sender_written_bytes_per_message: Math.round(sentPer),
    receiver_written_bytes_per_message: Math.round(receivedPer),
    sender_written_over_encoded: Number((sentPer / encodedPerMessage).toFixed(2)),
    receiver_written_over_encoded: Number((receivedPer / encodedPerMessage).toFixed(2)),
    limit_bytes_per_message: Math.round(TARGET_WRITTEN_OVER_ENCODED * encodedPerMessage),
    target_written_over_encoded: TARGET_WRITTEN_OVER_ENCODED,
    within_limit: Math.max(sentPer, receivedPer) <= TARGET_WRITTEN_OVER_ENCODED * encodedPerMessage,
  }),
);
