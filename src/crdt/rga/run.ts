import type { Scalar } from '../scalar.ts';
import type { Leaf } from './run-tree.ts';

/** Marks an absent origin (the start or the end of the sequence). */
export const NONE = -1;

/**
 * A run of items: consecutive seqs of one author, each item's left origin the item before it in
 * the run and all sharing one right origin, so that the run is one block in the document and in
 * id space. Only the first item's left origin is stored. A run is split on demand (an insert or a
 * delete inside it); typing left to right extends the last run.
 *
 * Content is text (`values === null`, one element per code point of `text`) or list values;
 * a deleted run keeps neither, only its ids and origins (a tombstone).
 */
export class Run {
  /** Interned author number (index into the state's author table). */
  agent: number;
  seq: number;
  len: number;
  leftAgent: number;
  leftSeq: number;
  rightAgent: number;
  rightSeq: number;
  deleted: boolean;
  text: string;
  values: Scalar[] | null;
  /** The leaf of the run tree holding this run (set again whenever the tree places or moves it). */
  leaf: Leaf;

  constructor(
    agent: number,
    seq: number,
    len: number,
    leftAgent: number,
    leftSeq: number,
    rightAgent: number,
    rightSeq: number,
    text: string,
    values: Scalar[] | null,
    deleted: boolean,
    leaf: Leaf,
  ) {
    this.agent = agent;
    this.seq = seq;
    this.len = len;
    this.leftAgent = leftAgent;
    this.leftSeq = leftSeq;
    this.rightAgent = rightAgent;
    this.rightSeq = rightSeq;
    this.text = text;
    this.values = values;
    this.deleted = deleted;
    this.leaf = leaf;
  }

  /**
   * Cuts the run before its `k`-th item (0 < k < len) and returns the right part, which the
   * caller places in the tree and the author index. The right part's first item has the item
   * before it as left origin, so the pair still describes the same items.
   */
  cut(k: number): Run {
    let rightText = '';
    let rightValues: Scalar[] | null = null;
    if (!this.deleted) {
      if (this.values !== null) {
        rightValues = this.values.slice(k);
        this.values.length = k;
      } else {
        const unit = this.text.length === this.len ? k : unitIndex(this.text, k);
        rightText = this.text.slice(unit);
        this.text = this.text.slice(0, unit);
      }
    }
    const right = new Run(this.agent, this.seq + k, this.len - k, this.agent, this.seq + k - 1, this.rightAgent, this.rightSeq, rightText, rightValues, this.deleted, this.leaf);
    this.len = k;
    return right;
  }

  /** Turns the run into a tombstone: the content goes, ids and origins stay. */
  tombstone(): void {
    this.deleted = true;
    this.text = '';
    this.values = null;
  }
}

/** UTF-16 index of the `cp`-th code point of `s`. */
export function unitIndex(s: string, cp: number): number {
  let unit = 0;
  for (let i = 0; i < cp; i++) {
    const c = s.charCodeAt(unit);
    unit += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return unit;
}

/** Number of code points of `s`, or -1 if it holds a lone surrogate (which UTF-8 cannot carry). */
export function codePointCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00) return -1;
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      i++;
    }
    n++;
  }
  return n;
}

/** Whether a list value is a single code point, the one thing text and lists share as elements. */
export function isCodePoint(value: Scalar): value is string {
  if (typeof value !== 'string') return false;
  if (value.length === 1) return !(value.charCodeAt(0) >= 0xd800 && value.charCodeAt(0) <= 0xdfff);
  return value.length === 2 && codePointCount(value) === 1;
}
