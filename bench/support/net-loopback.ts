import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { NetChild } from './net-child.ts';

const sink = fileURLToPath(new URL('./net-loopback-sink.ts', import.meta.url));

/** Size of each write; large enough that the per-call overhead of the writer is negligible. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Raw TCP throughput over 127.0.0.1 between two processes (this one writing, a child reading):
 * the ceiling any protocol over loopback TCP can reach on this machine now. Bytes per second.
 */
export async function loopbackBytesPerSecond(bytes: number): Promise<number> {
  const child = new NetChild(sink, ['--bytes', String(bytes)]);
  try {
    const { port } = await child.next<{ port: number }>();
    const chunk = Buffer.alloc(CHUNK_BYTES, 0x5a);
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    for (let sent = 0; sent < bytes; sent += CHUNK_BYTES) {
      const piece = sent + CHUNK_BYTES <= bytes ? chunk : chunk.subarray(0, bytes - sent);
      if (!socket.write(piece)) await new Promise((resolve) => socket.once('drain', resolve));
    }
    const result = await child.next<{ bytes: number; seconds: number }>();
    socket.destroy();
    await child.close();
    return result.bytes / result.seconds;
  } finally {
    child.kill();
  }
}
