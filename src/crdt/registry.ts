import type { CrdtType, CrdtTypeName } from './crdt-type.ts';
import { CrdtError } from './errors.ts';
import { gCounter } from './g-counter.ts';
import { gSet } from './g-set.ts';
import { lwwRegister } from './lww-register.ts';
import { mvRegister } from './mv-register.ts';
import { orSet } from './or-set.ts';
import { pnCounter } from './pn-counter.ts';
import { rga } from './rga/index.ts';

/** Any registered type, with its state, operations and value unknown to the caller. */
export type AnyCrdtType = CrdtType<unknown, unknown, unknown>;

/** The seven PIP-1 types by wire name. */
export const CRDT_TYPES = Object.freeze({
  'g-counter': gCounter,
  'pn-counter': pnCounter,
  'g-set': gSet,
  'or-set': orSet,
  'lww-register': lwwRegister,
  'mv-register': mvRegister,
  rga,
}) satisfies Readonly<Record<CrdtTypeName, AnyCrdtType>>;

export type CrdtTypes = typeof CRDT_TYPES;
/** A type of the registry, its state, operation and value, by name. */
export type CrdtTypeOf<N extends CrdtTypeName> = CrdtTypes[N];
export type StateOf<N extends CrdtTypeName> = ReturnType<CrdtTypes[N]['create']>;
export type OpOf<N extends CrdtTypeName> = Parameters<CrdtTypes[N]['apply']>[1];
export type ValueOf<N extends CrdtTypeName> = ReturnType<CrdtTypes[N]['value']>;

const BY_NAME: ReadonlyMap<string, AnyCrdtType> = new Map(Object.entries(CRDT_TYPES) as [string, AnyCrdtType][]);

/** The type called `name` (a wire value, so any string), or undefined if this version does not know it. */
export function crdtTypeByName(name: string): AnyCrdtType | undefined {
  return BY_NAME.get(name);
}

/** The type called `name` for a local caller: throws CrdtError `ERR_UNKNOWN_TYPE` (a caller's bug) if there is none. */
export function requireCrdtType(name: string): AnyCrdtType {
  const crdt = BY_NAME.get(name);
  if (crdt === undefined) throw new CrdtError('ERR_UNKNOWN_TYPE', `unknown CRDT type ${JSON.stringify(name)}`);
  return crdt;
}
