import type { Command } from 'commander';
import { readKeystoreHeader } from '../../identity/index.ts';
import type { CliContext } from '../context.ts';

interface IdOptions {
  readonly json?: boolean;
}

/**
 * `pars id [--json]`: print this node's id. The node id is public and stored in clear in the
 * keystore header, so no passphrase is needed; the whole file is still parsed and validated.
 */
export function registerId(program: Command, ctx: CliContext): void {
  program
    .command('id')
    .description("print this node's id (no passphrase needed)")
    .option('--json', 'print {"nodeId", "dataDir", "keystore"} as JSON')
    .action(async (options: IdOptions): Promise<void> => {
      const dataDir = ctx.dataDir();
      const info = await readKeystoreHeader(dataDir);
      if (info.looseMode) {
        ctx.warn(`keystore ${info.path} is accessible to other users (mode ${info.mode.toString(8).padStart(4, '0')}); run: chmod 600 '${info.path}'`);
      }
      if (options.json === true) ctx.stdout.write(`${JSON.stringify({ nodeId: info.nodeIdHex, dataDir, keystore: info.path })}\n`);
      else ctx.stdout.write(`${info.nodeIdHex}\n`);
    });
}
