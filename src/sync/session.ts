import { fromHex, toHex } from '../crypto/index.ts';
import { compareIds, idKey, type AuthorKey, type BloomFilter } from '../dag/index.ts';
import { buildAuthorFilter, parseAuthorFilter } from './author-filter.ts';
import { SyncDecodeFailure, SyncOptionsError, type SyncFailure } from './errors.ts';
import { SaltedFingerprints, sessionSalt } from './fingerprint.ts';
import { FlightBuilder, type FlightOpening } from './flight.ts';
import { SYNC_LIMITS, SYNC_SIZES, type SyncTuning } from './limits.ts';
import { SyncPeerState } from './peer-state.ts';
import type { SyncReplica } from './replica.ts';
import type { SyncInitiatorOptions, SyncMode, SyncSessionOptions, SyncStats, SyncStep } from './session-options.ts';
import { closeUnmentioned, helloRecords, openCourierTopics, openNamedTopics, type OpeningContext } from './session-opening.ts';
import { SessionCounters } from './session-stats.ts';
import { tuningOf } from './session-tuning.ts';
import { TopicSync } from './topic-sync.ts';
import { VertexIntake } from './vertex-intake.ts';
import { decodeFrame } from './wire-decode.ts';
import { encodeErrorFrame } from './wire-encode.ts';
import type { Frame, FrameFlags, SyncRecord } from './wire.ts';

/** Non-skip ranges one flight may open: room for the skips between them and one per topic. */
const RANGE_BUDGET = SYNC_LIMITS.maxRangesPerFlight / 2 - SYNC_LIMITS.maxTopics;

type Phase = 'new' | 'awaiting-hello' | 'awaiting-welcome' | 'open' | 'done';

/** Per-flight totals of what the peer sent, checked against SYNC_LIMITS as frames arrive. */
interface IncomingFlight {
  frames: number;
  bytes: number;
  ranges: number;
  ids: number;
  wants: number;
  keys: number;
  first: Frame | undefined;
  summary: Extract<SyncRecord, { type: 'summary' }> | undefined;
}

function freshFlight(): IncomingFlight {
  return { frames: 0, bytes: 0, ranges: 0, ids: 0, wants: 0, keys: 0, first: undefined, summary: undefined };
}

/**
 * One reconciliation session with one peer (sans-I/O: bytes in, bytes out). Create with
 * `SyncSession.initiate` (the side that opens) or `SyncSession.respond` (on the first frame
 * received), call `start()` once, then `receive(frame)` for every frame from the peer and send
 * what each step returns, until a step says `done`. Timeouts are the host's: call `abort()`.
 *
 * Flights alternate strictly. The last frame of a flight says whether its sender awaits an answer
 * and whether it owes more; a side answers when the peer awaits or owes, or when it has something
 * to send, and it is done when neither side awaits or owes anything. The wire format, the state
 * machine and the round-trip bounds are specified in docs/PROTOCOL.md ("Sync protocol").
 */
export class SyncSession {
  readonly #replica: SyncReplica;
  readonly #hash: (data: Uint8Array) => Uint8Array;
  readonly #random: (length: number) => Uint8Array;
  readonly #tuning: SyncTuning;
  readonly #peerStateIn: SyncPeerState;
  readonly #role: 'initiator' | 'responder';
  readonly #requested: SyncMode | undefined;
  #mode: 'topics' | 'courier' = 'topics';
  #phase: Phase = 'new';
  #nonce: Uint8Array = new Uint8Array(0);
  #initiatorNonce: Uint8Array = new Uint8Array(0);
  #fingerprints: SaltedFingerprints | undefined;
  readonly #topics = new Map<string, TopicSync>();
  #peerFilter: BloomFilter | undefined;
  /** Authors whose keys the peer has for sure: sent by us or received from it. */
  readonly #keysAtPeer = new Set<string>();
  readonly #keyWantsIn = new Set<string>();
  readonly #intake: VertexIntake;
  #flight: IncomingFlight = freshFlight();
  /** Our last flight set `owe`, so the peer still waits for our next one. */
  #lastOwe = false;
  #courierUpTo: Uint8Array | undefined;
  #courierCut = false;
  #error: SyncFailure | undefined;
  #peerStateOut: SyncPeerState;
  readonly #counters = new SessionCounters();

  static initiate(options: SyncInitiatorOptions): SyncSession {
    return new SyncSession(options, 'initiator', options.mode);
  }

  static respond(options: SyncSessionOptions): SyncSession {
    return new SyncSession(options, 'responder', undefined);
  }

  private constructor(options: SyncSessionOptions, role: 'initiator' | 'responder', mode: SyncMode | undefined) {
    if (typeof options.hash !== 'function' || typeof options.random !== 'function') throw new SyncOptionsError('hash and random are required');
    this.#replica = options.replica;
    this.#hash = options.hash;
    this.#random = options.random;
    this.#tuning = tuningOf(options.tuning);
    this.#peerStateIn = options.peerState ?? SyncPeerState.empty();
    this.#peerStateOut = this.#peerStateIn;
    this.#intake = new VertexIntake(options.replica, options.hash);
    this.#role = role;
    this.#requested = mode;
    if (mode !== undefined && mode.kind === 'topics') {
      if (mode.topics.length > SYNC_LIMITS.maxTopics) throw new SyncOptionsError(`at most ${SYNC_LIMITS.maxTopics} topics per session`);
      if (mode.topics.some((t) => !(t instanceof Uint8Array) || t.length !== SYNC_SIZES.topic)) throw new SyncOptionsError('topics are 16-byte tags');
    }
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  get error(): SyncFailure | undefined {
    return this.#error;
  }

  get role(): 'initiator' | 'responder' {
    return this.#role;
  }

  /** State for the next session with this peer: updated only when this one completed. */
  get peerState(): SyncPeerState {
    return this.#peerStateOut;
  }

  get stats(): SyncStats {
    return this.#counters.snapshot(this.#topics.size, this.#courierCut ? this.#courierUpTo : undefined);
  }

  /** Items hashed for fingerprints in this session (a cost figure for benchmarks). */
  get itemsHashed(): number {
    return this.#fingerprints?.hashed ?? 0;
  }

  /** Frames of the first flight: the hello for an initiator, none for a responder. */
  start(): Uint8Array[] {
    if (this.#phase !== 'new') throw new SyncOptionsError('start() may be called once, before receive()');
    if (this.#role === 'responder') {
      this.#phase = 'awaiting-hello';
      return [];
    }
    this.#nonce = this.#freshNonce();
    this.#initiatorNonce = this.#nonce;
    const out = new FlightBuilder(this.#tuning.frameBytes);
    const mode = this.#requested as SyncMode;
    this.#mode = mode.kind;
    this.#courierUpTo = helloRecords(this.#opening(), mode, out);
    this.#courierCut = this.#courierUpTo !== undefined;
    this.#phase = 'awaiting-welcome';
    const opening: FlightOpening = { kind: 'hello', mode: mode.kind, nonce: this.#nonce, authorFilter: this.#authorFilter() };
    return this.#emit(out.frames(opening, { await: true, owe: false }));
  }

  /**
   * Feeds one frame from the peer. Bad input ends the session with a typed `error`, never a throw.
   * The step's vertices may be views of `frame`: the caller hands the frame over and must not
   * write to it afterwards.
   */
  receive(frame: Uint8Array): SyncStep {
    const step = { send: [] as Uint8Array[], vertices: [] as Uint8Array[], keys: [] as AuthorKey[] };
    if (this.#phase === 'done') return { ...step, done: true, error: { code: 'closed', detail: 'frame received after the session ended' } };
    if (this.#phase === 'new') return this.#fail({ code: 'unexpected-frame', detail: 'frame received before start()' });
    this.#counters.received(frame.length);
    const decoded = decodeFrame(frame);
    if (!decoded.ok) return this.#fail(decoded.failure);
    const f = decoded.frame;
    if (f.kind === 'error') {
      const failure: SyncFailure =
        f.code === 'unknown-version'
          ? { code: 'peer-unsupported-version', detail: f.detail, supportedVersions: f.supportedVersions }
          : { code: 'peer-error', detail: `${f.code}: ${f.detail}` };
      return this.#fail(failure, false);
    }
    try {
      this.#admit(f, frame.length);
      for (const record of f.records) this.#onRecord(record, step);
      if (f.more) return { ...step, done: false };
      this.#counters.flightReceived();
      return this.#answer(step, f);
    } catch (error) {
      if (error instanceof SyncDecodeFailure) return this.#fail({ code: error.code, detail: error.detail });
      throw error;
    }
  }

  /** Ends the session now (host timeout, shutdown); the returned ERROR frame tells the peer. */
  abort(reason = 'aborted by the host'): SyncStep {
    if (this.#phase === 'done') return { send: [], done: true, vertices: [], keys: [], ...(this.#error === undefined ? {} : { error: this.#error }) };
    return this.#fail({ code: 'aborted', detail: reason });
  }

  #freshNonce(): Uint8Array {
    const n = this.#random(SYNC_SIZES.nonce);
    if (!(n instanceof Uint8Array) || n.length !== SYNC_SIZES.nonce) throw new SyncOptionsError('random(16) must return 16 bytes');
    return Uint8Array.from(n);
  }

  #authorFilter(): Uint8Array | undefined {
    return buildAuthorFilter(this.#replica.knownAuthors(), this.#tuning.authorFilterFpRate, this.#freshNonce(), this.#hash);
  }

  #addTopic(topic: Uint8Array): TopicSync {
    const hex = idKey(topic);
    const known = this.#topics.get(hex);
    if (known !== undefined) return known;
    if (this.#topics.size >= SYNC_LIMITS.maxTopics) throw new SyncDecodeFailure('limit-exceeded', `more than ${SYNC_LIMITS.maxTopics} topics`);
    const t = new TopicSync(Uint8Array.from(topic));
    this.#topics.set(hex, t);
    return t;
  }

  #opening(): OpeningContext {
    return { replica: this.#replica, hash: this.#hash, initiatorNonce: this.#initiatorNonce, peerState: this.#peerStateIn, addTopic: (t) => this.#addTopic(t) };
  }

  /** Checks that a frame may come now and counts it against the flight's limits. */
  #admit(f: Frame, size: number): void {
    const fl = this.#flight;
    fl.bytes += size;
    if (fl.bytes > SYNC_LIMITS.maxFlightBytes) throw new SyncDecodeFailure('limit-exceeded', 'flight above the byte limit');
    const first = fl.frames === 0;
    const expected = !first ? 'data' : this.#phase === 'awaiting-hello' ? 'hello' : this.#phase === 'awaiting-welcome' ? 'welcome' : 'data';
    if (f.kind !== expected) throw new SyncDecodeFailure('unexpected-frame', `${f.kind} frame where a ${expected} frame belongs`);
    fl.frames++;
    if (fl.frames > SYNC_LIMITS.maxFramesPerFlight) throw new SyncDecodeFailure('limit-exceeded', `more than ${SYNC_LIMITS.maxFramesPerFlight} frames in a flight`);
    if (first) {
      fl.first = f;
      if (f.kind === 'hello' || f.kind === 'welcome') this.#greet(f);
    }
  }

  /** Takes the peer's nonce and author filter from its first frame; a hello also sets the mode. */
  #greet(f: Extract<Frame, { kind: 'hello' | 'welcome' }>): void {
    if (f.kind === 'hello') {
      this.#mode = f.mode;
      this.#initiatorNonce = f.nonce;
      this.#nonce = this.#freshNonce();
    }
    const salt = f.kind === 'hello' ? sessionSalt(this.#hash, f.nonce, this.#nonce) : sessionSalt(this.#hash, this.#nonce, f.nonce);
    this.#fingerprints = new SaltedFingerprints(this.#hash, salt);
    if (f.authorFilter !== undefined) {
      this.#peerFilter = parseAuthorFilter(f.authorFilter, this.#hash);
      if (this.#peerFilter === undefined) throw new SyncDecodeFailure('bad-filter', 'author filter is malformed, zero-sized or saturated');
    }
  }

  #topicOf(topic: Uint8Array, creating: boolean): TopicSync {
    const t = this.#topics.get(idKey(topic));
    if (t !== undefined) return t;
    const kind = this.#flight.first?.kind;
    // New topics enter only through a topics-mode hello, or a courier responder's welcome.
    const allowed = creating && ((kind === 'hello' && this.#mode === 'topics') || (kind === 'welcome' && this.#mode === 'courier'));
    if (!allowed) throw new SyncDecodeFailure('unexpected-frame', `record for topic ${idKey(topic)} outside this session`);
    const created = this.#addTopic(topic);
    if (kind === 'welcome') created.mine = { ids: [], tooWide: false };
    return created;
  }

  #onRecord(r: SyncRecord, step: { vertices: Uint8Array[]; keys: AuthorKey[] }): void {
    const fl = this.#flight;
    switch (r.type) {
      case 'frontier': {
        const t = this.#topicOf(r.topic, true);
        if (t.peerFrontier !== undefined || t.incoming.frontier !== undefined) throw new SyncDecodeFailure('unexpected-frame', 'a second frontier for one topic');
        t.incoming.frontier = { ids: r.ids, tooWide: r.tooWide };
        return;
      }
      case 'base':
        this.#topicOf(r.topic, true).incoming.base = r.digest;
        return;
      case 'summary':
        if (fl.first?.kind !== 'hello' || this.#mode !== 'courier' || fl.summary !== undefined) throw new SyncDecodeFailure('unexpected-frame', 'summary outside a courier hello');
        fl.summary = r;
        return;
      case 'ranges':
        fl.ranges += r.ranges.length;
        for (const x of r.ranges) if (x.mode === 'ids') fl.ids += x.ids.length;
        if (fl.ranges > SYNC_LIMITS.maxRangesPerFlight) throw new SyncDecodeFailure('limit-exceeded', `more than ${SYNC_LIMITS.maxRangesPerFlight} ranges in a flight`);
        if (fl.ids > SYNC_LIMITS.maxIdsPerFlight) throw new SyncDecodeFailure('limit-exceeded', `more than ${SYNC_LIMITS.maxIdsPerFlight} ids in a flight`);
        this.#topicOf(r.topic, false).incoming.ranges.push(...r.ranges);
        return;
      case 'want':
        fl.wants += r.ids.length;
        if (fl.wants > SYNC_LIMITS.maxWantsPerFlight) throw new SyncDecodeFailure('limit-exceeded', `more than ${SYNC_LIMITS.maxWantsPerFlight} wanted ids in a flight`);
        this.#topicOf(r.topic, false).incoming.wants.push(...r.ids);
        return;
      case 'vertices': {
        const size = this.#intake.take(this.#topicOf(r.topic, true), r.vertices, step.vertices);
        this.#counters.verticesReceived(r.vertices.length, size);
        return;
      }
      case 'covered':
        this.#topicOf(r.topic, true).incoming.covered = true;
        return;
      case 'not-carried':
        this.#topicOf(r.topic, false).incoming.notCarried = true;
        return;
      case 'key-want':
        fl.keys += r.authors.length;
        if (fl.keys > SYNC_LIMITS.maxKeysPerFlight) throw new SyncDecodeFailure('limit-exceeded', 'too many keys in a flight');
        for (const a of r.authors) this.#keyWantsIn.add(toHex(a));
        return;
      case 'keys':
        fl.keys += r.keys.length;
        if (fl.keys > SYNC_LIMITS.maxKeysPerFlight) throw new SyncDecodeFailure('limit-exceeded', 'too many keys in a flight');
        for (const author of this.#intake.keys(r.keys, step)) this.#keysAtPeer.add(author);
        return;
      case 'courier-bound':
        if (fl.first?.kind !== 'welcome' || this.#mode !== 'courier') throw new SyncDecodeFailure('unexpected-frame', 'courier bound outside a courier welcome');
        if (this.#courierUpTo !== undefined && compareIds(r.upTo, this.#courierUpTo) >= 0) throw new SyncDecodeFailure('malformed', 'courier bound does not lower the span');
        this.#courierUpTo = r.upTo;
        this.#courierCut = true;
        return;
    }
  }

  /** Answers a complete flight from the peer; `last` is its last frame (whose flags count). */
  #answer(step: { send: Uint8Array[]; vertices: Uint8Array[]; keys: AuthorKey[] }, last: FrameFlags): SyncStep {
    const peerAwaits = last.await;
    const peerOwes = last.owe;
    const out = new FlightBuilder(this.#tuning.frameBytes);
    let opening: FlightOpening = { kind: 'data' };
    if (this.#phase === 'awaiting-hello') {
      if (this.#mode === 'topics') openNamedTopics(this.#opening(), this.#topics.values(), out);
      else {
        this.#courierUpTo = openCourierTopics(this.#opening(), this.#flight.summary, out);
        this.#courierCut = this.#courierUpTo !== undefined && this.#courierUpTo !== this.#flight.summary?.upTo;
      }
      opening = { kind: 'welcome', nonce: this.#nonce, authorFilter: this.#authorFilter() };
    } else if (this.#phase === 'awaiting-welcome' && this.#mode === 'courier') closeUnmentioned(this.#topics.values(), this.#courierUpTo);
    this.#phase = 'open';
    const ctx = {
      replica: this.#replica,
      fingerprints: this.#fingerprints as SaltedFingerprints,
      idListThreshold: this.#tuning.idListThreshold,
      branching: this.#tuning.branching,
      budget: { ranges: RANGE_BUDGET, ids: SYNC_LIMITS.maxIdsPerFlight },
      out,
      opens: this.#role === 'responder',
    };
    const topics = [...this.#topics.values()].sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
    for (const t of topics) t.advance(ctx);
    // Keys the peer asked for, keys its filter says it lacks for what we send, then the vertices.
    const keys = new Map<string, AuthorKey>();
    for (const a of this.#keyWantsIn) {
      const k = this.#replica.authorKey(a);
      if (k !== undefined && keys.size < SYNC_LIMITS.maxKeysPerFlight) keys.set(a, k);
    }
    this.#keyWantsIn.clear();
    const peerListens = peerAwaits || peerOwes || this.#lastOwe;
    const keyWantsOut = peerListens && this.#intake.asking;
    if (keyWantsOut) out.add({ type: 'key-want', authors: this.#intake.takeAsks(SYNC_LIMITS.maxKeysPerFlight).map(fromHex) });
    const batches: { topic: Uint8Array; bytes: Uint8Array[] }[] = [];
    let room = this.#tuning.flightBytes - out.bytes;
    for (const t of topics) {
      if (t.done) continue;
      const s = t.sendable(this.#replica, room);
      room -= s.used;
      for (const a of s.authors) {
        if (this.#keysAtPeer.has(a)) continue;
        this.#keysAtPeer.add(a);
        if (this.#peerFilter?.has(fromHex(a)) === true) continue;
        const k = this.#replica.authorKey(a);
        if (k !== undefined) keys.set(a, k);
      }
      if (s.bytes.length > 0) batches.push({ topic: t.topic, bytes: s.bytes });
      for (const b of s.bytes) this.#counters.vertexSent(b.length);
    }
    if (keys.size > 0) {
      out.addKeys([...keys.values()]);
      this.#counters.keysSent(keys.size);
    }
    for (const b of batches) out.addVertices(b.topic, b.bytes);
    for (const t of topics) {
      if (t.covering && t.owed.size === 0 && !t.done) t.finish('settled');
      else t.settleIfQuiet();
    }
    const awaiting = keyWantsOut || topics.some((t) => t.awaiting);
    const owing = topics.some((t) => !t.done && t.owed.size > 0);
    const done = !awaiting && !owing && !peerOwes;
    const mustSend = !out.empty || peerAwaits || peerOwes || opening.kind !== 'data' || !done;
    if (mustSend) step.send.push(...this.#emit(out.frames(opening, { await: awaiting, owe: owing })));
    this.#lastOwe = owing;
    this.#flight = freshFlight();
    if (done) this.#complete(step);
    return { ...step, done };
  }

  #emit(frames: Uint8Array[]): Uint8Array[] {
    this.#counters.sent(frames);
    return frames;
  }

  #complete(step: { vertices: Uint8Array[] }): void {
    this.#phase = 'done';
    this.#intake.releaseAll(step.vertices);
    const updates = new Map<string, readonly Uint8Array[] | undefined>();
    for (const t of this.#topics.values()) {
      if (t.outcome === 'not-carried') updates.set(t.hex, undefined);
      else if (t.outcome === 'equal' && t.mine !== undefined && !t.mine.tooWide) updates.set(t.hex, t.mine.ids);
      else if (t.outcome === 'settled') {
        const a = t.mine;
        const b = t.peerFrontier;
        updates.set(t.hex, a === undefined || b === undefined || a.tooWide || b.tooWide ? undefined : [...a.ids, ...b.ids]);
      }
    }
    this.#peerStateOut = this.#peerStateIn.with(updates);
  }

  #fail(failure: SyncFailure, tellPeer = true): SyncStep {
    this.#phase = 'done';
    this.#error = failure;
    this.#intake.clear();
    const send = tellPeer ? this.#emit([encodeErrorFrame(failure.code, failure.detail)]) : [];
    return { send, done: true, vertices: [], keys: [], error: failure };
  }
}
