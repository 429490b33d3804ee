/**
 * Parses the text form of a Postgres array (`{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}`) into nested
 * arrays of element texts (null for NULL). The delimiter is `,` (every built-in type but box).
 */
export type ArrayText = (string | null | ArrayText)[];

export function parseArrayText(text: string): ArrayText {
  let i = 0;
  // An explicit lower bound (`[0:1]={...}`) is dropped: Debezium lists the elements only.
  if (text.startsWith('[')) {
    const eq = text.indexOf('=');
    i = eq + 1;
  }
  const parse = (): ArrayText => {
    if (text[i] !== '{') throw new RangeError('array text must start with {');
    i++;
    const out: ArrayText = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      const c = text[i];
      if (c === '{') out.push(parse());
      else if (c === '"') {
        i++;
        let s = '';
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          s += text[i];
          i++;
        }
        i++;
        out.push(s);
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
        const raw = text.slice(start, i).trim();
        out.push(raw === 'NULL' ? null : raw);
      }
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return out;
      }
      throw new RangeError('malformed array text');
    }
  };
  return parse();
}
