import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionFailureLog } from '../../src/cli/session-failures.ts';
import type { SessionReport } from '../../src/net/index.ts';

const stats = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, flightsSent: 0, flightsReceived: 0, verticesSent: 0, verticesReceived: 0, vertexBytesSent: 0, vertexBytesReceived: 0 } as unknown as SessionReport['stats'];
const report = (peer: string, outcome: SessionReport['outcome'], code?: string): SessionReport => ({
  peer,
  role: 'initiator',
  outcome,
  ...(code === undefined ? {} : { error: { code, detail: `${code} detail` } }),
  stats,
  stored: 0,
  rejected: 0,
  durationMs: 1,
});

test('pars start reports a failing sync once per peer and reason, and when it works again', () => {
  const log = new SessionFailureLog();
  assert.equal(log.note(report('p1', 'completed')), undefined, 'a session that works is not news');
  assert.equal(log.note(report('p1', 'failed', 'ERR_STORE')), 'sync with p1 failed (ERR_STORE: ERR_STORE detail); retrying, less often while it keeps failing');
  assert.equal(log.note(report('p1', 'failed', 'ERR_STORE')), undefined, 'the same failure again is not printed again');
  assert.match(log.note(report('p2', 'failed', 'ERR_STORE')) ?? '', /^sync with p2 failed/, 'another peer is news');
  assert.match(log.note(report('p1', 'failed', 'ERR_TIMEOUT')) ?? '', /\(ERR_TIMEOUT: /, 'a new reason is news');
  assert.equal(log.note(report('p1', 'refused')), undefined, 'a session this node was too busy for is not a failure');
  assert.equal(log.note(report('p1', 'completed')), 'sync with p1 works again');
  assert.match(log.note(report('p1', 'failed', 'ERR_TIMEOUT')) ?? '', /^sync with p1 failed/, 'after it worked, a failure is news again');
  log.forget('p2');
  assert.match(log.note(report('p2', 'failed', 'ERR_STORE')) ?? '', /^sync with p2 failed/, 'after a disconnect, too');
  assert.match(log.note(report('p3', 'failed')) ?? '', /\(no reason given\)/);
});
