import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** One machine on the test LAN: a network namespace whose `eth0` is plugged into the bridge. */
export interface LanHost {
  readonly namespace: string;
  /** Its IPv4 address on the LAN. */
  readonly address: string;
}

/** The private /24 of the test LAN (namespaces are isolated, so every run may use the same one). */
const SUBNET = '10.203.0';

/** Runs iproute2's `ip` with `args`; throws with its message when it fails. */
export function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/**
 * Why this machine cannot build a LAN of network namespaces (needs root and iproute2's `ip`),
 * or undefined when it can.
 */
export function lanUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces, veth pairs and a bridge';
  if (spawnSync('ip', ['-V']).status !== 0) return 'needs iproute2 (the `ip` command) to create network namespaces';
  return undefined;
}

/**
 * A LAN made of network namespaces: a bridge in a namespace of its own, and one namespace per
 * host joined to it by a veth pair created inside the bridge's namespace, so nothing ever
 * touches the machine's own interfaces. Multicast (mDNS) is routed to each host's `eth0`.
 * Names start with `prefix` (make it unique per run, e.g. with the pid). `destroy()` deletes the
 * namespaces, which takes their interfaces with them.
 */
export class Lan {
  readonly hosts: LanHost[] = [];
  readonly #bridge: string;
  readonly #prefix: string;
  readonly #created: string[] = [];

  constructor(prefix: string) {
    this.#prefix = prefix;
    this.#bridge = `${prefix}-br`;
  }

  /** Creates the bridge namespace. Throws (with ip's message) where namespaces cannot be made. */
  createBridge(): void {
    this.#addNamespace(this.#bridge);
    ip(['-n', this.#bridge, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    ip(['-n', this.#bridge, 'link', 'set', 'br0', 'up']);
  }

  /**
   * Creates the bridge namespace, or marks the test skipped with ip's reason and returns false
   * (a machine where namespaces cannot be made: the test says so instead of passing silently).
   */
  createBridgeOrSkip(t: { skip(message: string): void }): boolean {
    try {
      this.createBridge();
      return true;
    } catch (error) {
      t.skip(`cannot create network namespaces here: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`);
      return false;
    }
  }

  /** Adds a host named `name` (a short letter or word) with the next address of the /24. */
  addHost(name: string): LanHost {
    const namespace = this.addNamespace(name);
    const address = `${SUBNET}.${this.hosts.length + 1}`;
    const port = `veth-${name}`;
    ip(['-n', this.#bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
    ip(['-n', this.#bridge, 'link', 'set', port, 'master', 'br0', 'up']);
    ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
    ip(['-n', namespace, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
    const host = { namespace, address };
    this.hosts.push(host);
    return host;
  }

  /** Deletes every namespace this LAN created (and so every link); safe to call more than once. */
  destroy(): string[] {
    const failed: string[] = [];
    for (const ns of this.#created.splice(0).reverse()) {
      const r = spawnSync('ip', ['netns', 'del', ns], { encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0) failed.push(`${ns}: ${r.stderr.trim()}`);
    }
    return failed;
  }

  /**
   * Creates a namespace `<prefix>-<name>` off the LAN (for a network of its own that a test links
   * by hand), deleted with the others by `destroy()`; returns its name.
   */
  addNamespace(name: string): string {
    const namespace = `${this.#prefix}-${name}`;
    this.#addNamespace(namespace);
    return namespace;
  }

  #addNamespace(namespace: string): void {
    ip(['netns', 'add', namespace]);
    this.#created.push(namespace);
  }
}

/** A process a namespace test runs on its LAN. */
export interface LanChild {
  kill(): void;
  readonly exited: Promise<unknown>;
}

/**
 * A test's LAN (its bridge made) and scratch directory, with `nodes` for the test to fill. After
 * the test, every node is killed and awaited, the directory removed and every namespace deleted
 * (asserted). Undefined when the test was marked skipped: no root, no `ip`, or namespaces that
 * cannot be made here.
 */
export function lanForTest<T extends LanChild>(t: TestContext, prefix: string): { lan: Lan; dir: string; nodes: T[] } | undefined {
  const unavailable = lanUnavailable();
  if (unavailable !== undefined) {
    t.skip(unavailable);
    return undefined;
  }
  const lan = new Lan(`${prefix}-${process.pid}`);
  const dir = mkdtempSync(join(tmpdir(), `pars-${prefix}-`));
  const nodes: T[] = [];
  t.after(async () => {
    for (const n of nodes) n.kill();
    await Promise.all(nodes.map((n) => n.exited));
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(lan.destroy(), [], 'every namespace of the test is deleted');
  });
  return lan.createBridgeOrSkip(t) ? { lan, dir, nodes } : undefined;
}
