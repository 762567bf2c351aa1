import type { CommandRegistrar } from '../context.ts';
import { registerBundle } from './bundle.ts';
import { registerGroup } from './group.ts';
import { registerId } from './id.ts';
import { registerInit } from './init.ts';
import { registerLog } from './log.ts';
import { registerPeers } from './peers.ts';
import { registerSend } from './send.ts';
import { registerStart } from './start.ts';
import { registerStatus } from './status.ts';
import { registerStore } from './store.ts';

export type { CommandRegistrar, CliContext } from '../context.ts';

/**
 * Every command of `pars`, in the order `pars --help` lists them. To add a command, write
 * `commands/<name>.ts` exporting a registrar and append it here.
 */
export const commands: readonly CommandRegistrar[] = [
  registerInit,
  registerId,
  registerStart,
  registerStatus,
  registerPeers,
  registerGroup,
  registerSend,
  registerLog,
  registerBundle,
  registerStore,
];
