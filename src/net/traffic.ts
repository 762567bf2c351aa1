/** Counts the bytes of our protocols' frames per peer (prefixes included; libp2p's own overhead not). */
export interface TrafficCounter {
  received(peer: string, bytes: number): void;
  sent(peer: string, bytes: number): void;
}
