// Child process of the net-sync benchmark: accepts one TCP connection on 127.0.0.1, reads `--bytes`
// bytes from it and reports how long that took, from accepting the connection to the last byte.
// Reports `{"port":N}` when listening, then `{"bytes":B,"seconds":S}`.
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bytes: { type: 'string', default: '0' } } });
const total = Number(values.bytes);
const report = (value: object): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

const server = createServer((socket) => {
  const started = performance.now();
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received < total) return;
    report({ bytes: received, seconds: (performance.now() - started) / 1000 });
    socket.destroy();
    server.close();
  });
  socket.on('error', (error) => {
    report({ error: error.message });
    process.exit(1);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  report({ port: address.port });
});
// The benchmark closes stdin when it is done with us (or dies).
process.stdin.on('end', () => process.exit(0)).resume();
