/**
 * Keeps a closed stdout or stderr from killing the `pars` process. `pars log family | head`
 * closes the pipe after a few lines, and so does a terminal that goes away. Node ignores
 * SIGPIPE, so the next write fails with EPIPE as an 'error' event on the stream; with nobody
 * listening, the process died with a stack trace in the middle of its work: an invite already
 * stored but only half printed, a running node stopped without its clean shutdown.
 *
 * Output that nobody reads any more is dropped instead, and the command finishes its work and
 * exits with its own code; `pars start` goes on serving. Any other stream error is still thrown.
 */
export function dropOutputOnceClosed(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    // After EPIPE the stream is destroyed, and later writes fail with ERR_STREAM_DESTROYED.
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}
