/** An INFO reply's fields by name. */
export type Info = Map<string, string>;

/** The `field:value` lines of an INFO reply. */
export function parseInfo(text: string): Info {
  const info: Info = new Map();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return info;
}
