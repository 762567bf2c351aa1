import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/*
 * Preloaded with `node --import` by test/cli/startup-modules.test.ts: appends to the file named
 * by NETWORK_MODULE_PROBE_OUT every module the process loads from libp2p's packages, one URL per
 * line, so the test can tell which commands load the network stack.
 */
const out = process.env['NETWORK_MODULE_PROBE_OUT'];
if (out !== undefined) {
  registerHooks({
    load(url, context, nextLoad) {
      if (/\/node_modules\/(?:libp2p|@libp2p\/[^/]+)\//.test(url)) appendFileSync(out, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
