/** A table entry by a key that came from a message: own properties only (a key like `constructor` finds nothing). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
