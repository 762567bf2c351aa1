import type { CliContext } from './context.ts';
import { ControlUnavailableError, controlRequest } from './control-client.ts';
import { readControlSecret, socketPath } from './control-files.ts';
import { lockHolder } from './control-lock.ts';
import { NODE_ONLY, NoNodeRunningError, UNBOUNDED_OPERATIONS, runOperation, type OperationArgs, type OperationName, type OperationResult } from './control-operations.ts';
import { CONTROL_LIMITS } from './control-protocol.ts';
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
  const remote = await onRunningNode(ctx, op, args);
  if (remote !== undefined) return remote.result;
  if (NODE_ONLY.has(op)) throw new NoNodeRunningError(ctx.dataDir());
  return withNode(ctx, (node) => runOperation({ ...node, mesh: undefined }, op, args));
}

/** Carries out one operation, wherever `performEach` found to carry them out. */
export type OperationRunner = <K extends OperationName>(op: K, args: OperationArgs<K>) => Promise<OperationResult<K>>;

/**
 * Runs `work`, which carries out several operations in a row (the pages of a log, say): on the
 * running node when one runs, else on the store this command opens once (the passphrase asked
 * once). With `nodeOnly`, no node running is NoNodeRunningError before anything is opened. A node
 * that stops meanwhile fails the next operation.
 */
export async function performEach<T>(ctx: CliContext, work: (run: OperationRunner) => Promise<T>, nodeOnly = false): Promise<T> {
  const dataDir = ctx.dataDir();
  if ((await lockHolder(dataDir))?.kind === 'node') {
    const run: OperationRunner = async (op, args) => {
      const remote = await onRunningNode(ctx, op, args);
      if (remote === undefined) throw new CliError('ERR_NODE_STOPPED', `the node running on ${dataDir} stopped`);
      return remote.result;
    };
    return work(run);
  }
  if (nodeOnly) throw new NoNodeRunningError(dataDir);
  return withNode(ctx, (node) => work((op, args) => runOperation({ ...node, mesh: undefined }, op, args)));
}

/**
 * Sends `op` to the node running on the data directory and resolves with its result, or with
 * undefined when no node runs there (the caller then does the work itself, as `perform` does,
 * or with progress bars of its own, as `pars bundle` does). A node that holds the lock but does
 * not answer yet is waited for while it starts.
 */
export async function onRunningNode<K extends OperationName>(ctx: CliContext, op: K, args: OperationArgs<K>): Promise<{ readonly result: OperationResult<K> } | undefined> {
  const dataDir = ctx.dataDir();
  // A bundle of any size takes as long as it takes; 0 turns the socket's idle timeout off.
  const timeoutMs = UNBOUNDED_OPERATIONS.has(op) ? 0 : CONTROL_LIMITS.responseTimeoutMs;
  const deadline = Date.now() + STARTING_NODE_WAIT_MS;
  for (;;) {
    const holder = await lockHolder(dataDir);
    if (holder?.kind !== 'node') return undefined;
    const secret = await readControlSecret(dataDir);
    if (secret !== undefined) {
      try {
        return { result: (await controlRequest(socketPath(dataDir), secret, op, args as Record<string, unknown>, timeoutMs)) as OperationResult<K> };
      } catch (error) {
        if (!(error instanceof ControlUnavailableError)) throw error;
      }
    }
    if (Date.now() > deadline) throw new CliError('ERR_NODE_NOT_ANSWERING', `the node running on ${dataDir} (pid ${holder.pid}) does not answer on its control socket`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
