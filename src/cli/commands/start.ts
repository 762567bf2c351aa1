import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import type { StartOptions } from '../node-process.ts';
import { CONFIG_FILE } from '../paths.ts';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * `pars start`: run this node until SIGINT or SIGTERM. It unlocks the identity, takes the data
 * directory's lock, starts the MeshNode (store, groups, libp2p on TCP and WebSocket, mDNS), opens
 * the control socket that `pars status`, `pars peers` and the group commands talk to, prints the
 * node id, the peer id and one multiaddr per line, then `ready`. It prints a time-stamped line
 * per connectivity change (the first ones may come before `ready`: remembered peers are dialled
 * as the node starts). On a signal it stops cleanly (everything acknowledged is durable), exit 0.
 */
export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run this node: listen, find peers on the LAN, sync your groups, and serve until Ctrl-C')
    .option('--listen-host <address>', 'interface to listen on (default 0.0.0.0: every IPv4 interface; 127.0.0.1: this machine only)')
    .option('--tcp-port <port>', 'TCP port (default: the last start\'s while it is free, else any free one; 0: any free port)')
    .option('--ws-port <port>', 'WebSocket port (default: the last start\'s while it is free, else any free one; 0: any free port)')
    .option('--no-mdns', 'neither look for nor announce to nodes on the LAN (mDNS)')
    .option('--peer <multiaddr>', 'dial this peer (…/p2p/<peer id>) at start and whenever it goes; repeat for more', collect)
    .option('--bootstrap <multiaddr>', 'a bootstrap node (…/p2p/<peer id>): dialled at start, then the DHT finds your groups; repeat for more', collect)
    .option('--no-dht', 'run without the DHT: neither announce nor look up groups, nor answer others (mDNS, peers and invites still work)')
    .addHelpText('after', `\nDefaults come from ${CONFIG_FILE} in the data directory (see README); flags override it.\nThe passphrase is read from $PARS_PASSPHRASE if set, otherwise asked on the terminal.\n`)
    .action(async (options: StartOptions): Promise<void> => {
      const { runStart } = await import('../node-process.ts'); // the node stack loads here, not for every command
      await runStart(ctx, options);
    });
}

