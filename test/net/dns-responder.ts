import { createSocket, type Socket } from 'node:dgram';

/**
 * A tiny DNS server on 127.0.0.1 for tests: it answers TXT questions for the names it is given
 * (every other question gets NXDOMAIN). Nothing here ever talks to a real DNS server.
 */
export async function startDnsResponder(txt: Record<string, readonly string[]>): Promise<{ readonly server: string; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  let open = true;
  socket.on('message', (query, from) => {
    // A listener that threw would fail the test file from outside any test: a datagram that is
    // not a question it can read is dropped, as a real server drops it.
    let answer: Buffer | undefined;
    try {
      answer = respond(query, txt);
    } catch {
      return;
    }
    if (answer !== undefined && open) socket.send(answer, from.port, from.address, () => undefined);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        socket.close(() => resolve());
      }),
  };
}

function respond(query: Buffer, txt: Record<string, readonly string[]>): Buffer | undefined {
  if (query.length < 12) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < query.length && query[at] !== 0) {
    const n = query[at] as number;
    labels.push(query.subarray(at + 1, at + 1 + n).toString('latin1'));
    at += 1 + n;
  }
  const questionEnd = at + 5; // the root label, QTYPE and QCLASS
  const name = labels.join('.').toLowerCase();
  const qtype = query.readUInt16BE(at + 1);
  const values = qtype === 16 ? txt[name] : undefined;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(values === undefined ? 0x8183 : 0x8180, 2); // response, recursion available, NXDOMAIN or no error
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(values?.length ?? 0, 6);
  const answers = (values ?? []).map((value) => {
    const text = Buffer.from(value, 'latin1');
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(16, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(text.length + 1, 10);
    return Buffer.concat([rr, Buffer.from([text.length]), text]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}
