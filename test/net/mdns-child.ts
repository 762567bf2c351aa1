// Run by mdns.test.ts inside a network namespace of its own (nothing else is on its loopback):
// two hosts that were never told about each other find each other by mDNS and sync.
import { runTwoNodeChild } from './two-node-child.ts';

await runTwoNodeChild({ dirPrefix: 'pars-net-mdns-' });
