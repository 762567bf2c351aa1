import { CodedError } from '../crypto/index.ts';

/** Misuse of the simulator (a bug in a test or benchmark, never a simulated fault). */
export class SimulationError extends CodedError {
  constructor(message: string) {
    super('ERR_SIMULATION', message);
  }
}
