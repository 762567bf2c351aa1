// The `pars` process (`bin/pars.js`, `npm run pars`). A bulk command first replaces the process
// with one under the node's V8 flags (runtime-flags.ts), before the CLI and its dependencies load,
// so the relaunch costs one Node start-up and not two loads of the whole program.
import { dropOutputOnceClosed } from './closed-output.ts';
import { relaunchWithRuntimeFlags } from './runtime-flags.ts';

relaunchWithRuntimeFlags();
dropOutputOnceClosed(process.stdout);
dropOutputOnceClosed(process.stderr);
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
