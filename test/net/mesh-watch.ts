import type { MeshNode } from '../../src/node/index.ts';

/*
 * Watching whole MeshNodes: free of node:test and its hooks, so child processes that print their
 * results on stdout (bridge-node-child.ts) can use it as well as test files (via mesh-support.ts).
 */

/** Polls `check` every 50 ms until it holds; fails after `ms` naming `what`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The texts of a group's log; none while the node is not (yet) in the group. */
export function texts(node: MeshNode, group: string): string[] {
  return node.groups.groups().some((g) => g.id === group) ? node.groups.log(group).map((m) => m.text) : [];
}
