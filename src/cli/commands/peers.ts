import type { Command } from 'commander';
import type { PeersReport } from '../../node/index.ts';
import type { CliContext } from '../context.ts';
import { perform } from '../control-routing.ts';
import { formatAgo } from './status.ts';

interface JsonOption {
  readonly json?: boolean;
}

/**
 * `pars peers [--json]`: the running node's connected peers (traffic, last sync) and every peer it
 * remembers; `pars dial MULTIADDR`: connect the running node to a peer now (it is remembered and
 * redialled when it goes). Both need a running node.
 */
export function registerPeers(program: Command, ctx: CliContext): void {
  program
    .command('peers')
    .description('list the running node\'s connected and known peers')
    .option('--json', 'print {"connected", "known", "banned"} as JSON')
    .action(async (options: JsonOption): Promise<void> => {
      const report = await perform(ctx, 'peers', {});
      if (options.json === true) ctx.stdout.write(`${JSON.stringify(report)}\n`);
      else ctx.stdout.write(formatPeers(report, Date.now()));
    });

  program
    .command('dial')
    .argument('<multiaddr>', 'the peer\'s address ending in /p2p/<peer id>, as pars start prints it')
    .description('connect the running node to a peer now')
    .action(async (address: string): Promise<void> => {
      const { peerId } = await perform(ctx, 'dial', { address });
      ctx.stdout.write(`connected to ${peerId}\n`);
    });
}

function formatPeers(r: PeersReport, now: number): string {
  const lines: string[] = [];
  if (r.connected.length === 0) lines.push('No peer connected.');
  for (const p of r.connected) {
    const synced = p.lastSyncAt === null ? 'not synced yet' : `synced ${formatAgo(now - p.lastSyncAt)}`;
    lines.push(`${p.peerId}  ${p.direction.padEnd(8)}  connected ${formatAgo(now - p.connectedAt)}, ${synced}, ${p.bytesIn} bytes in, ${p.bytesOut} out`);
    for (const a of p.addresses) lines.push(`  ${a}`);
  }
  const away = r.known.filter((p) => !p.connected);
  if (away.length > 0) lines.push('Known, not connected:');
  for (const p of away) {
    lines.push(`${p.peerId}  ${p.lastConnectedAt === null ? 'never connected' : `last connected ${formatAgo(now - p.lastConnectedAt)}`}`);
    for (const a of p.addresses) lines.push(`  ${a}`);
  }
  if (r.banned.length > 0) lines.push('Refused for misbehaving:');
  for (const b of r.banned) lines.push(`${b.peerId}  for ${Math.ceil(b.remainingMs / 1000)} s more`);
  return `${lines.join('\n')}\n`;
}
