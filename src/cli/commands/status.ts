import type { Command } from 'commander';
import type { NodeStatus } from '../../node/index.ts';
import type { CliContext } from '../context.ts';
import { perform } from '../control-routing.ts';
import { printableLine } from '../printable.ts';

interface JsonOption {
  readonly json?: boolean;
}

/**
 * `pars status [--json]`: what the running node is doing — connectivity (online, offline,
 * reconnecting), ids, addresses, peers, store figures and each group's sync lag. Without a
 * running node it says so and exits 1.
 */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show the running node: connectivity, addresses, peers and per-group sync lag')
    .option('--json', 'print the status as one JSON object')
    .addHelpText('after', '\nA group\'s lag is the time since a completed sync session with any peer last covered it ("never": none has since it appeared here).\n')
    .action(async (options: JsonOption): Promise<void> => {
      const status = await perform(ctx, 'status', {});
      if (options.json === true) ctx.stdout.write(`${JSON.stringify(status)}\n`);
      else ctx.stdout.write(formatStatus(status));
    });
}

function formatStatus(s: NodeStatus): string {
  const lines = [
    `state     ${s.state}`,
    `node id   ${s.nodeId}`,
    `peer id   ${s.peerId}`,
    ...s.multiaddrs.map((a) => `address   ${a}`),
    `peers     ${s.peers.connected} connected, ${s.peers.known} known`,
    `vertices  ${s.vertices} stored, ${s.waitingForParents} waiting for parents`,
    `sessions  ${s.net.sessionsCompleted} completed, ${s.net.sessionsFailed} failed, ${s.net.peersBanned} peers dropped`,
  ];
  if (s.groups.length === 0) lines.push('groups    none');
  for (const g of s.groups) {
    const lag = g.lagMs === null ? 'never synced' : `synced ${formatAgo(g.lagMs)}`;
    lines.push(`group     ${g.id}  ${lag.padEnd(18)}  ${String(g.members).padStart(3)} member${g.members === 1 ? ' ' : 's'}  "${printableLine(g.name)}"`);
  }
  return `${lines.join('\n')}\n`;
}

/** A duration as people read it: "just now", "12 s ago", "3 min ago", "5 h ago", "2 d ago". */
export function formatAgo(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'just now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.floor(s / 60)} min ago`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
