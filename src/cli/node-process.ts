import { promises as fs } from 'node:fs';
import { MeshNode } from '../node/index.ts';
import { applyFlags, loadConfig, meshNetOptions, type ConfigFlags } from './config.ts';
import type { CliContext } from './context.ts';
import { ensureControlSecret, socketPath } from './control-files.ts';
import { acquireLock } from './control-lock.ts';
import { operationHandler } from './control-operations.ts';
import { ControlServer } from './control-server.ts';
import { CliError } from './errors.ts';
import { chooseListenPorts, listeningPorts, readRememberedPorts, rememberPorts } from './listen-ports.ts';
import { checkKeystore, unlockIdentity } from './open-node.ts';
import { storePath } from './paths.ts';
import { SessionFailureLog } from './session-failures.ts';

/*
 * The process of `pars start`: the only command that loads the node stack with libp2p at start-up.
 * `commands/start.ts` imports this module when the command runs, so every other command starts
 * without loading the network (about half a second of module loading on its own).
 */

export interface StartOptions extends ConfigFlags {
  readonly peer?: string[];
  readonly bootstrap?: string[];
}

/**
 * Runs this node until SIGINT or SIGTERM. It unlocks the identity, takes the data directory's
 * lock, starts the MeshNode (store, groups, libp2p on TCP and WebSocket, mDNS), opens the control
 * socket, prints the node id, the peer id and one multiaddr per line, then `ready`, and a
 * time-stamped line per connectivity change. On a signal it stops cleanly.
 */
export async function runStart(ctx: CliContext, options: StartOptions): Promise<void> {
  const dataDir = ctx.dataDir();
  await checkKeystore(ctx, dataDir); // refuses a missing keystore before anything else
  await refuseSharedDirectory(dataDir);
  const config = applyFlags(await loadConfig(dataDir), options);
  const socket = socketPath(dataDir);
  const lock = await acquireLock(dataDir, 'node');
  let node: MeshNode | undefined;
  let server: ControlServer | undefined;
  let signalled: ReturnType<typeof signals> | undefined;
  try {
    // From here on a signal stops the node cleanly, even one that arrives while it starts.
    signalled = signals();
    const { identity, provider } = await unlockIdentity(ctx, dataDir);
    const listen = await chooseListenPorts(config.listen, await readRememberedPorts(dataDir, ctx.warn), ctx.warn);
    node = new MeshNode({ identity, provider, storePath: storePath(dataDir), net: meshNetOptions({ ...config, listen }), warn: ctx.warn });
    await node.start();
    await rememberPorts(dataDir, listeningPorts(node.multiaddrs()));
    // Peers may connect at once (remembered ones are dialled at start): follow from here on.
    follow(ctx, node);
    server = await ControlServer.listen({ path: socket, secret: await ensureControlSecret(dataDir), handle: operationHandler(node), warn: ctx.warn });
    ctx.stdout.write(`node id  ${identity.nodeIdHex}\npeer id  ${node.net.peerId}\n`);
    for (const address of node.multiaddrs()) ctx.stdout.write(`${address}\n`);
    ctx.stdout.write('ready\n');
    const signal = await signalled.first;
    ctx.stdout.write(`stopping (${signal})\n`);
  } finally {
    await server?.close();
    await node?.stop();
    await lock.release();
    signalled?.dispose();
  }
  ctx.stdout.write('stopped\n');
}

/** The control socket must sit where no other user can reach it: the data directory is 0700. */
async function refuseSharedDirectory(dataDir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await fs.stat(dataDir);
  if ((mode & 0o077) !== 0) {
    throw new CliError('ERR_DATA_DIR_MODE', `data directory ${dataDir} is accessible to other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); its control socket must not be. Run: chmod 700 '${dataDir}'`);
  }
}

/**
 * Resolves with the first SIGINT or SIGTERM. Repeats are swallowed until `dispose()`, so a second
 * Ctrl-C does not kill a half-done shutdown.
 */
function signals(): { readonly first: Promise<NodeJS.Signals>; dispose(): void } {
  let seen: NodeJS.Signals | undefined;
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const on = (signal: NodeJS.Signals): void => {
    if (seen !== undefined) return;
    seen = signal;
    resolve(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    first,
    dispose(): void {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

/**
 * One line per connectivity change, time-stamped (UTC), starting with the state now; and sync
 * sessions that fail (once per peer and reason) or work again.
 */
function follow(ctx: CliContext, node: MeshNode): void {
  const log = (text: string): void => void ctx.stdout.write(`${new Date().toISOString()} ${text}\n`);
  const sessions = new SessionFailureLog();
  log(`state ${node.state}`);
  node.net.on('state', (state) => log(`state ${state}`));
  node.net.on('peer:connect', (p) => log(`connected ${p.peerId}`));
  node.net.on('peer:disconnect', (p) => {
    sessions.forget(p.peerId);
    log(`disconnected ${p.peerId}`);
  });
  node.net.on('peer:banned', (p) => log(`dropped ${p.peerId} (${p.reason}: ${p.detail})`));
  node.net.on('session', (report) => {
    const line = sessions.note(report);
    if (line !== undefined) log(line);
  });
}
