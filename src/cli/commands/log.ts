import type { Command } from 'commander';
import type { UnreadableMessages } from '../../node/index.ts';
import type { CliContext } from '../context.ts';
import { counted } from '../counted.ts';
import { perform } from '../control-routing.ts';
import { printableLine } from '../printable.ts';
import { ID_PREFIX_CHARS } from './group.ts';

interface LogOptions {
  readonly json?: boolean;
}

/**
 * `pars log GROUP [--json]`: the group's readable messages in the DAG's logical order, one per
 * line: `lamport  time  author-prefix  text` (time is the sender's clock, UTC). Messages this node
 * holds but cannot show are counted on stderr, so none goes missing without a word.
 */
export function registerLog(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .argument('<group>', 'group name or id prefix')
    .description('print the messages of a group you can read, oldest first')
    .option('--json', 'print [{"vertexId", "author", "lamport", "sentAt", "text", "own"}] as JSON')
    .action(async (group: string, options: LogOptions): Promise<void> => {
      const { messages, unreadable } = await perform(ctx, 'log', { group });
      const note = unreadableNote(unreadable);
      if (note !== undefined) ctx.stderr.write(`${note}\n`);
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

/** One line on the messages held here that cannot be shown, or undefined when there are none. */
export function unreadableNote(u: UnreadableMessages): string | undefined {
  const parts: string[] = [];
  if (u.notForYou > 0) parts.push(`${counted(u.notForYou, 'was', 'were')} sent while you were not a member (before you joined, or after you left or were removed)`);
  if (u.keyNotOpened > 0) parts.push(`${counted(u.keyNotOpened, 'was', 'were')} sealed under a key this node could not open (the sender was asked to start afresh; later messages open)`);
  if (u.badContent > 0) parts.push(`${counted(u.badContent, 'was', 'were')} opened but held no valid message`);
  if (parts.length === 0) return undefined;
  const total = u.notForYou + u.keyNotOpened + u.badContent;
  return `${counted(total, 'message', 'messages')} of this group cannot be shown here: ${parts.join('; ')}.`;
}

/** The sender's clock as `YYYY-MM-DD HH:MM:SSZ`; a claim from another device, so any value must print. */
function formatTime(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '????-??-?? ??:??:??Z';
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
