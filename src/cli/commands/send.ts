import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { perform } from '../control-routing.ts';

/**
 * `pars send GROUP TEXT`: send a message to a group (durable here; it travels when the node syncs).
 * With a node running it goes through the node, which pushes it to connected peers at once.
 */
export function registerSend(program: Command, ctx: CliContext): void {
  program
    .command('send')
    .argument('<group>', 'group name or id prefix')
    .argument('<text>', 'the message')
    .description('send an end-to-end encrypted message to a group')
    .action(async (group: string, text: string): Promise<void> => {
      const { id } = await perform(ctx, 'send', { group, text });
      ctx.stdout.write(`sent ${id}\n`);
    });
}
