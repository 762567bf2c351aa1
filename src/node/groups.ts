import { equalBytes, fromHex, toHex, type CryptoProvider } from '../crypto/index.ts';
import type { DecodedVertex } from '../dag/index.ts';
import {
  DEFAULT_INVITE_TTL_SECONDS,
  decodeInvite,
  deriveGroupKeys,
  deriveInviteKeys,
  encodeInvite,
  Group,
  GroupError,
  inviteIdOf,
  MAX_INVITE_TTL_SECONDS,
  MemberSecrets,
  ownKemKey,
  safetyNumber,
  sealJoinRequest,
  type Invite,
  type Welcome,
} from '../group/index.ts';
import type { Identity } from '../identity/index.ts';
import type { GroupLogRecord } from '../store/index.ts';
import { NodeGroupError, refusedInvite } from './group-errors.ts';
import { catchUp, processGroupVertex, readLog, readLogPage, unreadableMessages, type LoggedMessage, type LogPage, type LogWindow, type UnreadableMessages } from './group-log.ts';
import { admitJoiner, inviteEntryOf, joinEntryOf, judgeRequest, judgeWelcome, sealJoin, type InviteEntry, type JoinEntry } from './group-rendezvous.ts';
import { resolveGroup, resolveMember } from './group-resolve.ts';
import { GroupWriter } from './group-writer.ts';
import { membersOf, openGroupRecord, readVertex, sealDescriptor, sealSecrets, type GroupEntry, type GroupRuntime } from './group-runtime.ts';
import type { Ingester } from './ingest.ts';
import { encodeMessageContent, messageTextProblem } from './message-content.ts';
import { StorageSealer } from './storage-key.ts';
import { groupNameProblem, INVITE_BUNDLE_GRACE_MS, type GroupBundleInvite, type GroupBundleKey, type GroupMember, type GroupSummary, type JoinRequestRecord, type JoinResult, type NodeGroupsOptions } from './group-types.ts';

/**
 * The groups of one node, kept in step with its store. At start it loads the groups and replays
 * their topics (vertices already in the log in 'restore' mode, the rest 'live'), then re-checks
 * the rendezvous topics of its invites and pending joins. Afterwards every vertex the ingester
 * commits — received or written here — is processed once, in commit order: group vertices into
 * the log, join requests on an issued invite's topic (accepted: the joiner is added and welcomed,
 * in the background), welcomes on a pending join's topic (the group is set up here). Every method
 * resolves once what it wrote is durable; `idle()` waits for the background work.
 */
export class NodeGroups {
  readonly #rt: GroupRuntime;
  readonly #warn: (message: string) => void;
  readonly #byId = new Map<string, GroupEntry>();
  readonly #byTopic = new Map<string, GroupEntry>();
  readonly #invites = new Map<string, InviteEntry>();
  readonly #joins = new Map<string, JoinEntry>();
  readonly #writer: GroupWriter;
  #work: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(ingester: Ingester, identity: Identity, options: NodeGroupsOptions) {
    const provider = ingester.provider;
    const random = options.random ?? ((n: number) => provider.randomBytes(n));
    const self = identity.nodeId;
    this.#rt = {
      provider,
      identity,
      self,
      selfHex: toHex(self),
      signer: { author: self, sign: (message, context) => identity.sign(message, context) },
      ingester,
      tables: ingester.store.groups,
      sealer: new StorageSealer(provider, identity, random),
      now: options.now,
      random,
    };
    this.#warn = options.warn ?? (() => undefined);
    this.#writer = new GroupWriter(this.#rt, this.#warn);
    // Others can check this node's vertices only with its key; it travels with the store's keys.
    ingester.addKey({ algorithm: 'ml-dsa-65', publicKey: identity.signingPublicKey });
    this.#loadAll();
    ingester.onStored((vertices) => this.#onStored(vertices));
    this.#recheck();
  }

  /** Creates a group with this node as its only member and admin; resolves with the group id (hex). */
  async createGroup(name: string): Promise<string> {
    const problem = groupNameProblem(name);
    if (problem !== undefined) throw new NodeGroupError('ERR_GROUP_NAME', problem);
    const rt = this.#rt;
    const g = Group.genesis({ provider: rt.provider, self: rt.self, random: rt.random }, name);
    const vertex = await rt.ingester.append(g.keys.topic, g.payload, rt.signer);
    const groupId = g.keys.groupId;
    rt.tables.putGroup({
      groupId,
      topic: g.keys.topic,
      descriptor: sealDescriptor(rt, groupId, { secret: g.secret, genesis: vertex.id }),
      secrets: sealSecrets(rt, groupId, g.secrets),
      updatedAt: rt.now(),
    });
    g.secret.fill(0);
    this.#track(groupId);
    return toHex(groupId);
  }

  /**
   * Issues a single-use invite valid for `ttlSeconds`; resolves with its code text. Only admins may
   * invite. The code carries `addresses` (where the joiner's node can reach this one), dropped from
   * the end while it would exceed the invite's length limit.
   */
  async invite(group: string, ttlSeconds: number = DEFAULT_INVITE_TTL_SECONDS, addresses: readonly string[] = []): Promise<string> {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_INVITE_TTL_SECONDS) {
      throw new NodeGroupError('ERR_INVITE_TTL', `invite lifetime must be 1..${MAX_INVITE_TTL_SECONDS} seconds, got ${ttlSeconds}`);
    }
    const rt = this.#rt;
    const entry = this.#resolve(group);
    const me = membersOf(rt, entry).find((m) => m.id === rt.selfHex);
    if (me?.role !== 'admin') throw new NodeGroupError('ERR_NOT_ADMIN', `only an admin of ${entry.idHex} can invite; this node is ${me === undefined ? 'not a member' : 'a member'}`);
    const secret = rt.random(32);
    const inviteId = inviteIdOf(rt.provider, secret);
    const keys = deriveInviteKeys(rt.provider, secret);
    const expiresAt = Math.floor(rt.now() / 1000) + ttlSeconds;
    const code = encodeFitting(rt.provider, { groupId: entry.id, inviter: rt.self, secret, expiresAt, addresses });
    const record = {
      inviteId,
      groupId: entry.id,
      topic: keys.topic,
      secret: rt.sealer.seal('group-invite', inviteId, secret),
      expiresAt,
      usedBy: undefined,
      requestId: undefined,
      welcomeId: undefined,
      createdAt: rt.now(),
    };
    rt.tables.putInvite(record);
    const inv = inviteEntryOf(rt, record);
    this.#invites.set(inv.topicHex, inv);
    return code;
  }

  /** Writes a join request for an invite code; the group appears here once the inviter's welcome arrives. */
  async join(code: string): Promise<JoinResult> {
    const rt = this.#rt;
    const decoded = decodeInvite(rt.provider, code, rt.now());
    if (!decoded.ok) throw refusedInvite(decoded);
    const invite = decoded.value;
    if (equalBytes(invite.inviter, rt.self)) throw new NodeGroupError('ERR_INVITE_OWN', 'this invite was issued by this node; give it to the person who should join');
    if (this.#byId.has(toHex(invite.groupId))) throw new NodeGroupError('ERR_ALREADY_JOINED', `this node is already in group ${toHex(invite.groupId)}`);
    const keys = deriveInviteKeys(rt.provider, invite.secret);
    const topicHex = toHex(keys.topic);
    if (this.#joins.has(topicHex)) throw new NodeGroupError('ERR_JOIN_PENDING', 'a join request for this invite was already written; waiting for the welcome');
    const kemSeed = rt.random(64);
    rt.tables.putJoin({ topic: keys.topic, invite: sealJoin(rt, keys.topic, kemSeed, encodeInvite(rt.provider, invite)), createdAt: rt.now() });
    this.#joins.set(topicHex, { topic: keys.topic, topicHex, invite, keys, kemSeed });
    const request = sealJoinRequest(rt.provider, keys, rt.self, { signingKey: rt.identity.signingPublicKey, kemKey: ownKemKey(rt.provider, kemSeed).publicKey }, rt.random(12));
    try {
      const vertex = await rt.ingester.append(keys.topic, request, rt.signer);
      return { groupId: toHex(invite.groupId), inviter: toHex(invite.inviter), requestId: vertex.key };
    } catch (error) {
      rt.tables.deleteJoin(keys.topic);
      this.#joins.delete(topicHex);
      throw error;
    }
  }

  /** The groups this node is in, by name then id. */
  groups(): GroupSummary[] {
    return [...this.#byId.values()]
      .map((e): GroupSummary => {
        const members = membersOf(this.#rt, e);
        const role = members.find((m) => m.id === this.#rt.selfHex)?.role ?? 'none';
        return { id: e.idHex, name: e.group.name, members: members.length, role };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  }

  /**
   * The topic and bundle key of each group (all, or those `only` names by name or id prefix), for
   * sneakernet bundles: a bundle made for a group opens with its bundle key.
   */
  bundleKeys(only?: readonly string[]): GroupBundleKey[] {
    const entries = only === undefined ? [...this.#byId.values()] : [...new Set(only.map((g) => this.#resolve(g)))];
    return entries.map((e) => ({ id: e.idHex, name: e.group.name, topic: e.topic, bundleKey: e.group.keys.bundleKey }));
  }

  /**
   * The invites in play here, for sneakernet bundles: first every join waiting for its welcome,
   * then the invites this node issued (all, or those of the groups `only` names) that expired
   * less than INVITE_BUNDLE_GRACE_MS ago or not at all, latest expiry first. An invite whose
   * joiner has written on the group's topic is out of play: only a holder of the group secret
   * can, so the welcome arrived. An export carrying an invite's rendezvous topic opens for its
   * other end; an import tries them all.
   */
  bundleInvites(only?: readonly string[]): GroupBundleInvite[] {
    const groups = only === undefined ? undefined : new Set(only.map((g) => this.#resolve(g).idHex));
    const joins = groups === undefined ? [...this.#joins.values()] : [];
    const since = this.#rt.now() - INVITE_BUNDLE_GRACE_MS;
    const authors = new Map<string, Set<string>>();
    const authorsOf = (groupHex: string): Set<string> => {
      let found = authors.get(groupHex);
      if (found === undefined) {
        const entry = this.#byId.get(groupHex);
        found = new Set(entry === undefined ? [] : this.#rt.ingester.dag.topologicalOrder(entry.topic).map((v) => v.author));
        authors.set(groupHex, found);
      }
      return found;
    };
    const issued = [...this.#invites.values()]
      .filter((i) => i.expiresAt * 1000 > since && (groups === undefined || groups.has(i.groupHex)))
      .filter((i) => i.usedBy === undefined || !authorsOf(i.groupHex).has(toHex(i.usedBy)))
      .sort((a, b) => b.expiresAt - a.expiresAt);
    return [
      ...joins.map((j) => ({ topic: j.topic, secret: j.invite.secret })),
      ...issued.map((i) => ({ topic: i.topic, secret: i.secret })),
    ];
  }

  /** The topic of each group this node is in. */
  topics(): Uint8Array[] {
    return [...this.#byId.values()].map((e) => e.topic);
  }

  /** The rendezvous topics of the invites this node issued and of the joins it awaits a welcome on. */
  rendezvousTopics(): Uint8Array[] {
    return [...this.#invites.values(), ...this.#joins.values()].map((e) => e.topic);
  }

  /** Join requests written here whose welcome has not arrived. */
  pendingJoins(): { readonly groupId: string; readonly inviter: string }[] {
    return [...this.#joins.values()].map((j) => ({ groupId: toHex(j.invite.groupId), inviter: toHex(j.invite.inviter) }));
  }

  /** The addresses of the inviters' nodes that invites of joins still waiting for a welcome carry. */
  joinAddresses(): string[] {
    return [...new Set([...this.#joins.values()].flatMap((j) => j.invite.addresses))];
  }

  /** Current members (as of this node's frontier of the group), ascending by id. */
  members(group: string): GroupMember[] {
    const entry = this.#resolve(group);
    return membersOf(this.#rt, entry).map((m) => ({ id: m.id, role: m.role, you: m.id === this.#rt.selfHex }));
  }

  /** Sends a text message; resolves with the hex id of its vertex once it is durable. */
  async send(group: string, text: string): Promise<string> {
    const problem = messageTextProblem(text);
    if (problem !== undefined) throw new NodeGroupError('ERR_MESSAGE_TEXT', problem);
    const entry = this.#resolve(group);
    const content = encodeMessageContent({ text, at: this.#rt.now() });
    return (await this.#writer.write(entry, { kind: 'message', content })).key;
  }

  async remove(group: string, member: string): Promise<void> {
    const entry = this.#resolve(group);
    const m = resolveMember(membersOf(this.#rt, entry), member);
    await this.#writer.write(entry, { kind: 'ops', ops: [{ o: 'remove', member: fromHex(m.id) }] });
  }

  async promote(group: string, member: string): Promise<void> {
    const entry = this.#resolve(group);
    const m = resolveMember(membersOf(this.#rt, entry), member);
    await this.#writer.write(entry, { kind: 'ops', ops: [{ o: 'promote', member: fromHex(m.id) }] });
  }

  async leave(group: string): Promise<void> {
    await this.#writer.write(this.#resolve(group), { kind: 'ops', ops: [{ o: 'leave' }] });
  }

  /** Rotates this member's published key and starts a new epoch (post-compromise security). */
  async update(group: string): Promise<void> {
    await this.#writer.write(this.#resolve(group), { kind: 'update' });
  }

  /** The safety number of this node and `member` in the group: compare it out of band. */
  verify(group: string, member: string): string {
    const rt = this.#rt;
    const entry = this.#resolve(group);
    const members = membersOf(rt, entry);
    const other = resolveMember(members, member);
    const me = members.find((m) => m.id === rt.selfHex);
    if (me === undefined) throw new NodeGroupError('ERR_NOT_YET_MEMBER', `this node is not a member of ${entry.idHex}`);
    const key = rt.ingester.keys.getKey(fromHex(other.id));
    if (key === undefined) throw new NodeGroupError('ERR_MEMBER_KEY_UNKNOWN', `no signing key of ${other.id} is known here`);
    return safetyNumber(
      rt.provider,
      { nodeId: rt.self, signingKey: rt.identity.signingPublicKey, kemKey: me.kemKey },
      { nodeId: fromHex(other.id), signingKey: key.publicKey, kemKey: other.kemKey },
    );
  }

  /** Readable messages in the DAG's logical order (own ones included). */
  log(group: string): LoggedMessage[] {
    return readLog(this.#rt, this.#resolve(group));
  }

  /** One page of a group's readable messages (`readLogPage`): what `pars log` reads, page by page. */
  logPage(group: string, window: LogWindow): LogPage {
    return readLogPage(this.#rt, this.#resolve(group), window);
  }

  /** How many of the group's messages this node holds but cannot show, and why. */
  unreadable(group: string): UnreadableMessages {
    return unreadableMessages(this.#rt, this.#resolve(group));
  }

  /** What happened to the vertices on the topics of invites this node issued (of one group, or all). */
  joinRequests(group?: string): JoinRequestRecord[] {
    const only = group === undefined ? undefined : this.#resolve(group).idHex;
    const out: JoinRequestRecord[] = [];
    for (const inv of this.#invites.values()) {
      if (only !== undefined && inv.groupHex !== only) continue;
      const rows = new Map(this.#rt.tables.logOf(inv.topic).map((r) => [toHex(r.vertexId), r]));
      for (const meta of this.#rt.ingester.dag.topologicalOrder(inv.topic)) {
        const r = rows.get(meta.key);
        if (r !== undefined) out.push({ inviteId: inv.idHex, vertexId: meta.key, author: meta.author, status: r.status, reason: r.reason });
      }
    }
    return out;
  }

  /** Resolves when the background work started so far (admitting joiners) has finished. */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.#work;
      await seen;
    } while (seen !== this.#work);
  }

  /** Waits for background work, then stops following the ingester and forgets the storage key. */
  async close(): Promise<void> {
    await this.idle();
    this.#closed = true;
    this.#rt.sealer.wipe();
  }

  #resolve(group: string): GroupEntry {
    return resolveGroup(this.#byId.values(), group);
  }

  /** Starts following a stored group: loads it and processes its stored vertices. */
  #track(groupId: Uint8Array): void {
    const record = this.#rt.tables.group(groupId);
    if (record === undefined) throw new NodeGroupError('ERR_GROUP_CORRUPT', `group ${toHex(groupId)} is not stored`);
    const entry = openGroupRecord(this.#rt, record);
    this.#byId.set(entry.idHex, entry);
    this.#byTopic.set(entry.topicHex, entry);
    catchUp(this.#rt, entry);
  }

  /** Rebuilds all in-memory state from the store: at start, and after a failed batch (memory must not claim what disk lacks). */
  #loadAll(): void {
    this.#byId.clear();
    this.#byTopic.clear();
    this.#invites.clear();
    this.#joins.clear();
    const tables = this.#rt.tables;
    for (const record of tables.groups()) this.#track(record.groupId);
    for (const record of tables.invites()) {
      const inv = inviteEntryOf(this.#rt, record);
      this.#invites.set(inv.topicHex, inv);
    }
    for (const record of tables.joins()) {
      const join = joinEntryOf(this.#rt, record);
      this.#joins.set(join.topicHex, join);
    }
  }

  /** Handles rendezvous vertices stored while this node was not running, and admissions a crash interrupted. */
  #recheck(): void {
    const waiting: DecodedVertex[] = [];
    for (const topic of this.rendezvousTopics()) {
      const logged = this.#rt.tables.loggedIds(topic);
      for (const meta of this.#rt.ingester.dag.topologicalOrder(topic)) if (!logged.has(meta.key)) waiting.push(readVertex(this.#rt, meta.id));
    }
    if (waiting.length > 0) this.#onStored(waiting);
    for (const inv of this.#invites.values()) if (inv.usedBy !== undefined && inv.welcomeId === undefined) this.#schedule(() => this.#admit(inv));
  }

  #onStored(vertices: readonly DecodedVertex[]): void {
    if (this.#closed) return;
    let admissions: InviteEntry[];
    try {
      admissions = this.#handle(vertices);
    } catch (error) {
      try {
        this.#loadAll();
      } catch (reload) {
        this.#warn(`group state could not be reloaded after a failed batch: ${(reload as Error).message}`);
      }
      throw error;
    }
    for (const inv of admissions) this.#schedule(() => this.#admit(inv));
  }

  /** Processes one batch in one transaction; returns the invites whose joiner is to be admitted. */
  #handle(vertices: readonly DecodedVertex[]): InviteEntry[] {
    const rt = this.#rt;
    const admissions: InviteEntry[] = [];
    rt.tables.transaction(() => {
      const rows: GroupLogRecord[] = [];
      const touched = new Set<GroupEntry>();
      for (const v of vertices) {
        const topic = toHex(v.topic);
        const entry = this.#byTopic.get(topic);
        if (entry !== undefined) {
          this.#writer.noteProcessed(v);
          const row = processGroupVertex(rt, entry, v, 'live');
          if (row !== undefined) {
            rows.push(row);
            touched.add(entry);
          }
          continue;
        }
        const inv = this.#invites.get(topic);
        if (inv !== undefined) {
          const verdict = judgeRequest(rt, inv, v, this.#byId.has(inv.groupHex));
          rows.push(verdict.row);
          if (verdict.accepted) admissions.push(inv);
          continue;
        }
        const join = this.#joins.get(topic);
        if (join !== undefined) {
          const verdict = judgeWelcome(rt, join, v);
          rows.push(verdict.row);
          if (verdict.welcome !== undefined) this.#adopt(join, verdict.welcome);
        }
      }
      rt.tables.putLog(rows);
      for (const entry of touched) rt.tables.putSecrets(entry.id, sealSecrets(rt, entry.id, entry.group.secrets), rt.now());
    });
    return admissions;
  }

  /** A welcome opened: the group is stored with the join key as this member's first key, then its stored vertices are processed. */
  #adopt(join: JoinEntry, welcome: Welcome): void {
    const rt = this.#rt;
    rt.tables.deleteJoin(join.topic);
    this.#joins.delete(join.topicHex);
    const keys = deriveGroupKeys(rt.provider, welcome.secret);
    if (this.#byId.has(toHex(keys.groupId))) return;
    const secrets = new MemberSecrets();
    secrets.rotate(ownKemKey(rt.provider, Uint8Array.from(join.kemSeed)));
    rt.tables.putGroup({ groupId: keys.groupId, topic: keys.topic, descriptor: sealDescriptor(rt, keys.groupId, welcome), secrets: sealSecrets(rt, keys.groupId, secrets), updatedAt: rt.now() });
    welcome.secret.fill(0);
    this.#track(keys.groupId);
  }

  async #admit(inv: InviteEntry): Promise<void> {
    await admitJoiner(this.#rt, this.#writer, inv, this.#byId.get(inv.groupHex));
  }

  #schedule(task: () => Promise<void>): void {
    this.#work = this.#work.then(task).catch((error: unknown) => this.#warn(`admitting a joiner failed: ${(error as Error).message}`));
  }
}

/** The code of `invite` with as many of its addresses, from the front, as the length limit allows. */
function encodeFitting(provider: CryptoProvider, invite: Invite): string {
  for (let addresses = invite.addresses; ; addresses = addresses.slice(0, -1)) {
    try {
      return encodeInvite(provider, { ...invite, addresses });
    } catch (error) {
      if (!(error instanceof GroupError) || addresses.length === 0) throw error;
    }
  }
}
