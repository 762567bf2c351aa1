// `npm run bench -- NAME [args]`: runs bench/NAME.ts, which prints one JSON line last.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { relaunchWithRuntimeFlags } from '../src/cli/runtime-flags.ts';

// Benchmarks run under the V8 flags of the node's own process (`pars start`), so what they
// measure, limits included, is what a running node does.
relaunchWithRuntimeFlags(() => true);

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [args]\nbenchmarks: ${available.join(', ')}`);
  process.exit(2);
}
process.argv = [process.argv[0] as string, name, ...args];
await import(pathToFileURL(new URL(`./${name}.ts`, import.meta.url).pathname).href);
