import { assertBytes, utf8, type CryptoProvider } from '../crypto/index.ts';

/** Length of the group secret every member holds for the group's whole life. */
export const GROUP_SECRET_BYTES = 32;
/** Length of a group id as shown to people and carried in invites. */
export const GROUP_ID_BYTES = 16;

/**
 * What the group secret yields. Everything is derived with its own HKDF label, so the group id
 * people see (invites, screens) says nothing about the topic tag relays see, and neither reveals
 * the keys.
 */
export interface GroupKeys {
  /** 16-byte id people use to name the group (invites, CLI). */
  readonly groupId: Uint8Array;
  /** 16-byte vertex topic tag: relays carry the group's vertices under it without learning the group. */
  readonly topic: Uint8Array;
  /** AES-256-GCM key of control vertices (membership and epoch operations). */
  readonly controlKey: Uint8Array;
  /** Key of the header mask (kind, epoch, index) of every group payload. */
  readonly headerKey: Uint8Array;
  /** Opens sneakernet bundles made for the group (src/bundle): wraps their file keys and seals CRDT snapshots. */
  readonly bundleKey: Uint8Array;
}

const LABEL = 'pars-mesh/group/';

function derive(provider: CryptoProvider, secret: Uint8Array, label: string, length: number): Uint8Array {
  return provider.hkdfSha3_256(secret, new Uint8Array(0), utf8(`${LABEL}${label}/v1`), length);
}

export function deriveGroupKeys(provider: CryptoProvider, groupSecret: Uint8Array): GroupKeys {
  assertBytes(groupSecret, GROUP_SECRET_BYTES, 'group secret');
  return {
    groupId: derive(provider, groupSecret, 'id', GROUP_ID_BYTES),
    topic: derive(provider, groupSecret, 'topic', 16),
    controlKey: derive(provider, groupSecret, 'control', 32),
    headerKey: derive(provider, groupSecret, 'header', 32),
    bundleKey: derive(provider, groupSecret, 'bundle', 32),
  };
}

/** The per-invite rendezvous: a topic for the join request and welcome, and the key that proves the invite was seen. */
export interface InviteKeys {
  readonly topic: Uint8Array;
  readonly key: Uint8Array;
}

export function deriveInviteKeys(provider: CryptoProvider, inviteSecret: Uint8Array): InviteKeys {
  assertBytes(inviteSecret, 32, 'invite secret');
  return {
    topic: provider.hkdfSha3_256(inviteSecret, new Uint8Array(0), utf8('pars-mesh/invite/topic/v1'), 16),
    key: provider.hkdfSha3_256(inviteSecret, new Uint8Array(0), utf8('pars-mesh/invite/key/v1'), 32),
  };
}
