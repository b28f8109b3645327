/**
 * Hands back one shared copy of strings that repeat: each request parses its headers into fresh
 * strings, and a click waiting in the buffer would otherwise keep its own copy of a user agent
 * that thousands of other clicks carry too. The table is cleared when full; it never grows past
 * `max` entries and never refuses a value.
 */
export function createInterner(max = 2_000): (value: string | undefined) => string | undefined {
  const table = new Map<string, string>();
  return (value) => {
    if (value === undefined) return undefined;
    const shared = table.get(value);
    if (shared !== undefined) return shared;
    if (table.size >= max) table.clear();
    table.set(value, value);
    return value;
  };
}
