import type { Command } from 'commander';
import { decodeInvite, DEFAULT_INVITE_TTL_SECONDS, MAX_INVITE_TTL_SECONDS } from '../../group/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { perform } from '../control-routing.ts';
import { printableLine } from '../printable.ts';
import { renderQr } from '../qr.ts';

interface JsonOption {
  readonly json?: boolean;
}

interface InviteOptions {
  readonly ttl?: string;
  readonly qr?: boolean;
}

/** How many hex digits of a node id the command line shows. */
export const ID_PREFIX_CHARS = 8;

const nameOf = (name: string): string => (name === '' ? '(name not yet known)' : `"${printableLine(name)}"`);

/**
 * `pars group create|invite|join|list|members|remove|promote|leave|update|verify`. A GROUP is the
 * group's exact name or at least 4 hex digits of its id; a MEMBER is at least 4 hex digits of a
 * node id. With a node running (pars start) every subcommand goes through it; otherwise each one
 * opens the store itself and unlocks the identity (PARS_PASSPHRASE or a prompt).
 */
export function registerGroup(program: Command, ctx: CliContext): void {
  const group = program
    .command('group')
    .description('create, join and manage end-to-end encrypted groups')
    .addHelpText('after', '\nGROUP is a group\'s exact name or at least 4 hex digits of its id; MEMBER is at least 4 hex digits of a node id.\n');

  group
    .command('create')
    .argument('<name>', 'the group\'s name (at most 128 bytes)')
    .description('create a group with you as its admin')
    .action(async (name: string): Promise<void> => {
      const { id } = await perform(ctx, 'group.create', { name });
      ctx.stdout.write(`Created group ${nameOf(name)}.\ngroup id  ${id}\nInvite someone with: pars group invite ${id.slice(0, ID_PREFIX_CHARS)}\n`);
    });

  group
    .command('invite')
    .argument('<group>', 'group name or id prefix')
    .description('issue a single-use invite code (admins only) and show it as a QR code')
    .option('--ttl <seconds>', `how long the invite stays valid (default ${DEFAULT_INVITE_TTL_SECONDS}, one week)`)
    .option('--no-qr', 'print the code only')
    .action(async (arg: string, options: InviteOptions): Promise<void> => {
      const ttl = options.ttl === undefined ? DEFAULT_INVITE_TTL_SECONDS : parseTtl(options.ttl);
      const { code } = await perform(ctx, 'group.invite', { group: arg, ttl });
      const decoded = decodeInvite(ctx.provider(), code, 0);
      const expires = decoded.ok ? new Date(decoded.value.expiresAt * 1000).toISOString() : '?';
      const addresses = decoded.ok ? decoded.value.addresses.length : 0;
      ctx.stdout.write(`${code}\n`);
      if (options.qr !== false) ctx.stdout.write(`${renderQr(code)}\n`);
      ctx.stdout.write(`Single use, valid until ${expires}. The joiner runs: pars group join CODE\n`);
      if (addresses > 0) ctx.stdout.write(`It carries ${addresses} address${addresses === 1 ? '' : 'es'} of this running node: the joiner's node connects to it directly.\n`);
    });

  group
    .command('join')
    .argument('<code>', 'invite code (spaces, hyphens and case do not matter)')
    .description('ask to join a group with an invite code; the group appears once the inviter\'s welcome arrives')
    .action(async (code: string): Promise<void> => {
      // A mistyped or expired code is refused before the passphrase is asked for (the node checks it again).
      const checked = decodeInvite(ctx.provider(), code, Date.now());
      if (!checked.ok) {
        // The node layer's wording, loaded only for a refusal: it brings libp2p with it.
        const { refusedInvite } = await import('../../node/index.ts');
        throw refusedInvite(checked);
      }
      const r = await perform(ctx, 'group.join', { code });
      ctx.stdout.write(`Join request written for group ${r.groupId} (inviter ${r.inviter.slice(0, ID_PREFIX_CHARS)}).\n`);
      if (r.reached !== null) ctx.stdout.write(`Connected to the inviter's node ${r.reached}.\n`);
      else if (r.dialProblem !== null) ctx.stdout.write(`The inviter's node did not answer (${r.dialProblem}); this node keeps dialling it, and the request also travels with any peer that can carry it.\n`);
      else if (checked.value.addresses.length > 0) ctx.stdout.write(`No node runs here now: pars start dials the inviter's node at the addresses in the invite.\n`);
      ctx.stdout.write(`The group appears here once the inviter's welcome reaches this node.\n`);
    });

  group
    .command('list')
    .description('list your groups and pending joins')
    .option('--json', 'print {"groups", "pendingJoins"} as JSON')
    .action(async (options: JsonOption): Promise<void> => {
      const { groups: all, pendingJoins: pending } = await perform(ctx, 'group.list', {});
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify({ groups: all, pendingJoins: pending })}\n`);
        return;
      }
      if (all.length === 0 && pending.length === 0) ctx.stdout.write('No groups yet: pars group create NAME, or pars group join CODE.\n');
      for (const g of all) {
        const you = g.role === 'none' ? 'you are no longer a member' : `you: ${g.role}`;
        ctx.stdout.write(`${g.id}  ${String(g.members).padStart(3)} member${g.members === 1 ? ' ' : 's'}  ${nameOf(g.name)}  (${you})\n`);
      }
      for (const p of pending) ctx.stdout.write(`${p.groupId}  waiting for the welcome from ${p.inviter.slice(0, ID_PREFIX_CHARS)}\n`);
    });

  group
    .command('members')
    .argument('<group>', 'group name or id prefix')
    .description('list the members of a group as this node sees it')
    .option('--json', 'print [{"id", "role", "you"}] as JSON')
    .action(async (arg: string, options: JsonOption): Promise<void> => {
      const members = await perform(ctx, 'group.members', { group: arg });
      if (options.json === true) ctx.stdout.write(`${JSON.stringify(members)}\n`);
      else for (const m of members) ctx.stdout.write(`${m.id}  ${m.role.padEnd(6)}${m.you ? '  (you)' : ''}\n`);
    });

  group
    .command('remove')
    .argument('<group>', 'group name or id prefix')
    .argument('<member>', 'node id prefix')
    .description('remove a member (admins only); later messages are not readable by it')
    .action(async (arg: string, member: string): Promise<void> => {
      await perform(ctx, 'group.remove', { group: arg, member });
      ctx.stdout.write(`Removed ${member} from the group.\n`);
    });

  group
    .command('promote')
    .argument('<group>', 'group name or id prefix')
    .argument('<member>', 'node id prefix')
    .description('make a member an admin (admins only)')
    .action(async (arg: string, member: string): Promise<void> => {
      await perform(ctx, 'group.promote', { group: arg, member });
      ctx.stdout.write(`Promoted ${member} to admin.\n`);
    });

  group
    .command('leave')
    .argument('<group>', 'group name or id prefix')
    .description('leave a group')
    .action(async (arg: string): Promise<void> => {
      await perform(ctx, 'group.leave', { group: arg });
      ctx.stdout.write('Left the group.\n');
    });

  group
    .command('update')
    .argument('<group>', 'group name or id prefix')
    .description('rotate your group key and start a new epoch (do this after a device may have been compromised)')
    .action(async (arg: string): Promise<void> => {
      await perform(ctx, 'group.update', { group: arg });
      ctx.stdout.write('Rotated your key and started a new epoch.\n');
    });

  group
    .command('verify')
    .argument('<group>', 'group name or id prefix')
    .argument('<member>', 'node id prefix')
    .description('print the safety number you share with a member; compare it with theirs out of band')
    .action(async (arg: string, member: string): Promise<void> => {
      const { number } = await perform(ctx, 'group.verify', { group: arg, member });
      ctx.stdout.write(`${number}\nThe same 60 digits on both devices mean you hold each other's real keys.\n`);
    });
}

function parseTtl(raw: string): number {
  if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_INVITE_TTL_SECONDS) {
    throw new CliError('ERR_INVITE_TTL', `--ttl must be a whole number of seconds in 1..${MAX_INVITE_TTL_SECONDS}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}
