import { SyncOptionsError } from './errors.ts';
import { DEFAULT_SYNC_TUNING, SYNC_LIMITS, type SyncTuning } from './limits.ts';

/** The defaults overridden by `partial`, each setting checked against its documented bounds. */
export function tuningOf(partial: Partial<SyncTuning> | undefined): SyncTuning {
  const t = { ...DEFAULT_SYNC_TUNING, ...partial };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new SyncOptionsError(what);
  };
  check(Number.isInteger(t.idListThreshold) && t.idListThreshold >= 1 && t.idListThreshold <= 1024, 'idListThreshold must be an integer in 1..1024');
  check(Number.isInteger(t.branching) && t.branching >= 2 && t.branching <= 64, 'branching must be an integer in 2..64');
  check(Number.isInteger(t.frameBytes) && t.frameBytes >= 262_144 && t.frameBytes <= SYNC_LIMITS.maxFrameBytes, 'frameBytes must be in 256 KiB..1 MiB');
  check(Number.isInteger(t.flightBytes) && t.flightBytes >= t.frameBytes && t.flightBytes <= SYNC_LIMITS.maxFlightBytes / 2, 'flightBytes must be in frameBytes..32 MiB');
  check(t.authorFilterFpRate > 0 && t.authorFilterFpRate < 1, 'authorFilterFpRate must be in (0, 1)');
  return t;
}
