import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { withNode } from '../open-node.ts';

/** `pars send GROUP TEXT`: send a message to a group (durable here; it travels when the node syncs). */
export function registerSend(program: Command, ctx: CliContext): void {
  program
    .command('send')
    .argument('<group>', 'group name or id prefix')
    .argument('<text>', 'the message')
    .description('send an end-to-end encrypted message to a group')
    .action(async (group: string, text: string): Promise<void> => {
      await withNode(ctx, async ({ groups }) => {
        const id = await groups.send(group, text);
        ctx.stdout.write(`sent ${id}\n`);
      });
    });
}
