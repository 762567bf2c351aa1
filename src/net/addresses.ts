import type { Multiaddr } from '@multiformats/multiaddr';

/** TCP and WebSocket addresses (what our transports dial); relayed and other kinds are skipped. */
export function isDialable(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name);
  return names.includes('tcp') && !names.includes('p2p-circuit');
}

/** The peer id a multiaddr ends with (`/p2p/<id>`), if any. */
export function peerIdOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().findLast((c) => c.name === 'p2p')?.value;
}

/** The address without its `/p2p/<id>` suffix, as peers are remembered. */
export function withoutPeerId(ma: Multiaddr): string {
  const peer = peerIdOf(ma);
  return (peer === undefined ? ma : ma.decapsulate(`/p2p/${peer}`)).toString();
}
