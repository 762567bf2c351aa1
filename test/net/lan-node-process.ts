import { fileURLToPath } from 'node:url';
import type { LanHost } from './lan-namespaces.ts';
import { NamespaceChild } from './namespace-child.ts';

const child = fileURLToPath(new URL('./lan-node-child.ts', import.meta.url));

/** What a LAN node reports, one JSON object per line (see lan-node-child.ts). */
export interface LanReport {
  readonly name: string;
  readonly error?: string;
  readonly ready?: boolean;
  readonly synced?: boolean;
  readonly stopped?: boolean;
  readonly peerId?: string;
  readonly addresses?: string[];
  readonly peers?: string[];
  readonly stored?: number;
  readonly frontier?: string[];
}

export interface LanNodeOptions {
  readonly name: string;
  /** Directory the node keeps its store in (a subdirectory named after it). */
  readonly dir: string;
  readonly host: LanHost;
  /** Number of its author (fixtures' `makeAuthor`). */
  readonly author: number;
  /** Vertices it writes before meeting anyone, and again after. */
  readonly writes: number;
  /** Vertices of the topic every node must end with. */
  readonly total: number;
  /** Peers each node must be connected to. */
  readonly peers: number;
}

/** A node process started inside a LAN host's namespace, read line by line. */
export class LanNodeProcess extends NamespaceChild<LanReport> {
  constructor(o: LanNodeOptions) {
    const args = ['--name', o.name, '--dir', o.dir, '--address', o.host.address, '--author', String(o.author), '--writes', String(o.writes), '--total', String(o.total), '--peers', String(o.peers)];
    super(o.name, o.host.namespace, child, args);
  }

  /** Tells the node to stop (its stdin ends). */
  stop(): void {
    this.endInput();
  }
}
