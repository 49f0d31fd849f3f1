// JSON.parse keeps the last of two equal keys without a word, so a log line with `"service":"api"` twice
// parses fine. This reads the raw text (RFC 8259 grammar) and names every key repeated within one object.

/** Keys repeated within one object of `text`, as `path.key`; throws on text that is not JSON. */
export function repeatedKeys(text: string): string[] {
  let i = 0;
  const repeated: string[] = [];
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${i} of ${JSON.stringify(text.slice(0, 200))}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    if (text[i] !== '"') fail('expected a string');
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        const key = string();
        if (seen.has(key)) repeated.push(`${path}${key}`);
        seen.add(key);
        space();
        if (text[i++] !== ':') fail('expected ":"');
        value(`${path}${key}.`);
        space();
        const next = text[i++];
        if (next === '}') return;
        if (next !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}${n}.`);
        space();
        const next = text[i++];
        if (next === ']') return;
        if (next !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') return void string();
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!literal) fail('expected a value');
    i += literal![0].length;
  };
  value('');
  space();
  if (i !== text.length) fail('trailing text');
  return repeated;
}
