import type { Command } from 'commander';
import type { LoggedMessage, LogPage, UnreadableMessages } from '../../node/index.ts';
import type { CliContext } from '../context.ts';
import { counted } from '../counted.ts';
import { performEach, type OperationRunner } from '../control-routing.ts';
import { CliError } from '../errors.ts';
import { printableLine } from '../printable.ts';
import { ID_PREFIX_CHARS } from './group.ts';

interface LogOptions {
  readonly json?: boolean;
  readonly tail?: string;
  readonly follow?: boolean;
}

/** How often `--follow` asks the running node for what arrived. */
const FOLLOW_POLL_MS = 500;

/**
 * `pars log GROUP [--json] [--tail N] [--follow]`: the group's readable messages in the DAG's
 * logical order, one per line: `lamport  time  author-prefix  text` (time is the sender's clock,
 * UTC). Messages this node holds but cannot show are counted on stderr, so none goes missing
 * without a word. The log is read page by page (a page is at most about 4 MiB of text), so a log of
 * any size prints. `--follow` then prints what arrives, whatever its place in the order (a message
 * written in a partition that just healed is new here, though older than the last one shown).
 */
export function registerLog(program: Command, ctx: CliContext): void {
  program
    .command('log')
    .argument('<group>', 'group name or id prefix')
    .description('print the messages of a group you can read, oldest first')
    .option('--json', 'print [{"vertexId", "author", "lamport", "sentAt", "text", "own"}] as JSON (with --follow: one such object per line)')
    .option('-n, --tail <count>', 'print only the last COUNT messages')
    .option('-f, --follow', 'keep printing messages as they arrive, until Ctrl-C (needs a running node)')
    .action(async (group: string, options: LogOptions): Promise<void> => {
      const last = options.tail === undefined ? undefined : tailCount(options.tail);
      const out = new LogPrinter(ctx, options.json === true, options.follow === true);
      await performEach(
        ctx,
        async (run) => {
          const first = await run('log', { group, ...(last === undefined ? {} : { last }) });
          const note = first.unreadable === undefined ? undefined : unreadableNote(first.unreadable);
          if (note !== undefined) ctx.stderr.write(`${note}\n`);
          out.begin(first.messages);
          const end = await printPages(run, group, undefined, first, out);
          out.end();
          if (options.follow === true) await follow(run, group, end.frontier, out);
        },
        options.follow === true,
      );
    });
}

/** Prints `page` and the pages after it (of what arrived after `since`, if given); resolves with the last. */
async function printPages(run: OperationRunner, group: string, since: string[] | undefined, page: LogPage, out: LogPrinter): Promise<LogPage> {
  for (;;) {
    out.print(page.messages);
    if (page.next === undefined) return page;
    page = await run('log', { group, ...(since === undefined ? {} : { since }), after: page.next });
  }
}

/** Polls for what arrived after `frontier` and prints it, until the process is stopped. */
async function follow(run: OperationRunner, group: string, frontier: string[], out: LogPrinter): Promise<never> {
  let since = frontier;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    const end = await printPages(run, group, since, await run('log', { group, since }), out);
    since = end.frontier;
  }
}

function tailCount(text: string): number {
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || n < 1) throw new CliError('ERR_USAGE', `--tail takes a whole number of messages, at least 1; got "${text}"`);
  return n;
}

/** Prints messages as lines, as one JSON array streamed page by page, or (following) as JSON lines. */
class LogPrinter {
  readonly #ctx: CliContext;
  readonly #json: boolean;
  readonly #lines: boolean;
  #width = 0;
  #first = true;

  constructor(ctx: CliContext, json: boolean, follow: boolean) {
    this.#ctx = ctx;
    this.#json = json;
    this.#lines = json && follow;
  }

  /** Before the first page: the lamport column is as wide as the first page's widest. */
  begin(firstPage: readonly LoggedMessage[]): void {
    this.#width = String(firstPage.at(-1)?.lamport ?? 0).length;
    if (this.#json && !this.#lines) this.#ctx.stdout.write('[');
  }

  print(messages: readonly LoggedMessage[]): void {
    const w = this.#ctx.stdout;
    for (const m of messages) {
      if (this.#lines) w.write(`${JSON.stringify(m)}\n`);
      else if (this.#json) w.write(`${this.#first ? '' : ','}${JSON.stringify(m)}`);
      else w.write(`${String(m.lamport).padStart(this.#width)}  ${formatTime(m.sentAt)}  ${m.author.slice(0, ID_PREFIX_CHARS)}  ${printableLine(m.text)}\n`);
      this.#first = false;
    }
  }

  end(): void {
    if (this.#json && !this.#lines) this.#ctx.stdout.write(']\n');
  }
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
