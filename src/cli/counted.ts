/** A count with its noun, agreeing in number: "1 topic", "2 topics", "1,024 bytes". */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}
