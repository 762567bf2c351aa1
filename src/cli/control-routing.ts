import type { CliContext } from './context.ts';
import { ControlUnavailableError, controlRequest } from './control-client.ts';
import { readControlSecret, socketPath } from './control-files.ts';
import { lockHolder } from './control-lock.ts';
import { NODE_ONLY, NoNodeRunningError, runOperation, type OperationArgs, type OperationName, type OperationResult } from './control-operations.ts';
import { CliError } from './errors.ts';
import { withNode } from './open-node.ts';

/** How long a command waits for a node that holds the lock but does not answer yet (it is starting). */
const STARTING_NODE_WAIT_MS = 15_000;

/**
 * Carries out a node operation for a command. When a node runs on the data directory (`pars
 * start` holds its lock), the request goes over the control socket to it: it has the store open
 * and the network up, and no passphrase is needed. Otherwise the command opens the store itself
 * (`withNode`, which unlocks the identity); the operations that need a running node (status,
 * peers, dial) then fail with NoNodeRunningError.
 */
export async function perform<K extends OperationName>(ctx: CliContext, op: K, args: OperationArgs<K>): Promise<OperationResult<K>> {
  const dataDir = ctx.dataDir();
  const deadline = Date.now() + STARTING_NODE_WAIT_MS;
  for (;;) {
    const holder = await lockHolder(dataDir);
    if (holder?.kind !== 'node') break;
    const secret = await readControlSecret(dataDir);
    if (secret !== undefined) {
      try {
        return (await controlRequest(socketPath(dataDir), secret, op, args as Record<string, unknown>)) as OperationResult<K>;
      } catch (error) {
        if (!(error instanceof ControlUnavailableError)) throw error;
      }
    }
    if (Date.now() > deadline) throw new CliError('ERR_NODE_NOT_ANSWERING', `the node running on ${dataDir} (pid ${holder.pid}) does not answer on its control socket`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (NODE_ONLY.has(op)) throw new NoNodeRunningError(dataDir);
  return withNode(ctx, (node) => runOperation({ groups: node.groups, mesh: undefined }, op, args));
}
