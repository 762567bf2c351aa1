import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { perform } from '../control-routing.ts';
import { printableLine } from '../printable.ts';
import { ID_PREFIX_CHARS } from './group.ts';

interface LogOptions {
  readonly json?: boolean;
}

/**
 * `pars log GROUP [--json]`: the group's readable messages in the DAG's logical order, one per
 * line: `lamport  time  author-prefix  text` (time is the sender's clock, UTC).
 */
export function registerLog(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .argument('<group>', 'group name or id prefix')
    .description('print the messages of a group you can read, oldest first')
    .option('--json', 'print [{"vertexId", "author", "lamport", "sentAt", "text", "own"}] as JSON')
    .action(async (group: string, options: LogOptions): Promise<void> => {
      const messages = await perform(ctx, 'log', { group });
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify(messages)}\n`);
        return;
      }
      const width = String(messages.at(-1)?.lamport ?? 0).length;
      for (const m of messages) {
        const time = formatTime(m.sentAt);
        ctx.stdout.write(`${String(m.lamport).padStart(width)}  ${time}  ${m.author.slice(0, ID_PREFIX_CHARS)}  ${printableLine(m.text)}\n`);
      }
    });
}

/** The sender's clock as `YYYY-MM-DD HH:MM:SSZ`; a claim from another device, so any value must print. */
function formatTime(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '????-??-?? ??:??:??Z';
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
