/**
 * What the GeniusAuth server (Go, gin 1.10) sees of a request, reproduced for the emulator:
 * encoding/json with UseNumber (number literals kept as written), `fmt.Sprint` of the decoded
 * values, gin's JSON / form bindings into a struct, and net/url's strict query parser.
 * Sources: ncuhome/GeniusAuthoritarian internal/api/middlewares/app.go (RequireAppSignature),
 * internal/tools/api.go (ShouldBindReused), go.mod (gin v1.10.0).
 */

/** A JSON number as its literal text (Go's json.Number under UseNumber). */
export class GoNumber {
  constructor(readonly text: string) {}
}

/** A JSON object with its keys in order, duplicates kept (Go assigns them in order: last wins). */
export class GoObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, GoValue]>) {}
  /** As `map[string]interface{}`: the last duplicate wins. */
  toMap(): Map<string, GoValue> {
    const m = new Map<string, GoValue>();
    for (const [k, v] of this.entries) m.set(k, v);
    return m;
  }
}

export type GoValue = string | boolean | null | GoNumber | GoObject | GoValue[];

export class GoJsonError extends Error {}

/**
 * encoding/json's Marshal of a JSON-shaped value: JSON.stringify, then the HTML escaping Go applies
 * by default (<, >, & and U+2028 / U+2029 as \u00XX escapes). Source: Go encoding/json (Marshal,
 * HTMLEscape), as used by gin's c.JSON and golang-jwt's SigningString.
 */
export function goMarshal(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Decode the first JSON value of `text` as Go's json.Decoder.Decode does: leading whitespace
 * skipped, anything after the first complete value left unread, lone surrogates → U+FFFD.
 */
export function decodeFirstValue(text: string): GoValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new GoJsonError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string, value: GoValue): GoValue => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail('invalid literal');
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== 0x5c) {
        // a lone surrogate in the body text (invalid UTF-8 already became U+FFFD when it was read)
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            out += text[i] + text[i + 1];
            i += 2;
            continue;
          }
        }
        out += c >= 0xd800 && c <= 0xdfff ? '\ufffd' : text[i];
        i++;
        continue;
      }
      const e = text[i + 1];
      i += 2;
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        continue;
      }
      if (e !== 'u') fail('invalid escape');
      const hex = (at: number) => {
        const h = text.slice(at, at + 4);
        return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
      };
      const u = hex(i);
      if (u < 0) fail('invalid \\u escape');
      i += 4;
      if (u >= 0xd800 && u <= 0xdbff && text[i] === '\\' && text[i + 1] === 'u') {
        const lo = hex(i + 2);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          out += String.fromCharCode(u, lo);
          i += 6;
          continue;
        }
      }
      // Go's unquote: a surrogate that is not half of a pair becomes U+FFFD
      out += u >= 0xd800 && u <= 0xdfff ? '\ufffd' : String.fromCharCode(u);
    }
  };
  const num = (): GoNumber => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') return fail('invalid number');
    i += m[0].length;
    return new GoNumber(m[0]);
  };
  const value = (depth: number): GoValue => {
    if (depth > 10_000) fail('exceeded max depth'); // encoding/json's own nesting limit
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<[string, GoValue]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return new GoObject(entries);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('object key must be a string');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return new GoObject(entries);
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: GoValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return items;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    return fail(c === undefined ? 'unexpected end of JSON input' : 'invalid character');
  };
  // json.Decoder stops at the end of the first value: what follows is only read by a next Decode
  return value(0);
}

/** Go compares strings byte by byte (UTF-8): sort.Strings and fmt's sorted map keys. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `fmt.Sprint(v)` of a value decoded into interface{} with UseNumber. */
export function goSprint(v: GoValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  const m = v.toMap();
  return `map[${[...m.keys()]
    .sort(byteOrder)
    .map((k) => `${k}:${goSprint(m.get(k))}`)
    .join(' ')}]`;
}

/** One field of a Go form struct, as gin binds it. */
export interface GoField {
  /** The Go field name (gin's form binding falls back to it when there is no `form` tag). */
  go: string;
  /** The `json` tag. */
  json: string;
  /** The `form` tag, when the struct has one. */
  form?: string;
  kind: 'string' | 'int64' | 'bool';
}

export type Bound = Record<string, string | number | boolean>;

export class BindError extends Error {}

function zero(f: GoField): string | number | boolean {
  return f.kind === 'string' ? '' : f.kind === 'int64' ? 0 : false;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
function int64(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw new BindError(`not an integer: ${text}`);
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) throw new BindError(`out of range: ${text}`);
  return Number(n);
}

/** Go's case folding of JSON keys (bytes.EqualFold), close enough for ASCII field names. */
function fold(s: string): string {
  let out = '';
  for (const ch of s) {
    const lower = ch.toLowerCase();
    out += ch === '\u017f' ? 's' : [...lower].length === 1 ? lower : ch;
  }
  return out;
}

/**
 * gin's binding.JSON into a struct (encoding/json): keys matched exactly, else case-insensitively;
 * a later key overwrites an earlier one; null leaves the zero value; a wrong JSON type is an error.
 * Keys are the `json` tags, or (gin's YAML binding, yaml.v3) the lower-cased Go field names.
 */
export function bindJson(v: GoValue, fields: GoField[], keys: 'json' | 'yaml' = 'json'): Bound {
  const out: Bound = {};
  for (const f of fields) out[f.json] = zero(f);
  if (v === null) return out; // json: null into a struct is a no-op
  if (!(v instanceof GoObject)) throw new BindError('cannot unmarshal a non-object into a struct');
  for (const [key, value] of v.entries) {
    const f =
      keys === 'yaml'
        ? fields.find((x) => x.go.toLowerCase() === key)
        : (fields.find((x) => x.json === key) ?? fields.find((x) => fold(x.json) === fold(key)));
    if (!f || value === null) continue;
    if (f.kind === 'string') {
      if (typeof value === 'string') out[f.json] = value;
      // yaml.v3 decodes any scalar into a string field as its text
      else if (keys === 'yaml' && (value instanceof GoNumber || typeof value === 'boolean')) out[f.json] = goSprint(value);
      else throw new BindError(`field ${f.json}: want a string`);
    } else if (f.kind === 'int64') {
      if (!(value instanceof GoNumber)) throw new BindError(`field ${f.json}: want an integer`);
      out[f.json] = int64(value.text);
    } else {
      if (typeof value !== 'boolean') throw new BindError(`field ${f.json}: want a bool`);
      out[f.json] = value;
    }
  }
  return out;
}

/** gin's form binding (mapForm): first value of the `form` tag (or the Go field name), parsed by type. */
export function bindForm(values: Map<string, string[]>, fields: GoField[]): Bound {
  const out: Bound = {};
  for (const f of fields) {
    const raw = values.get(f.form ?? f.go)?.[0];
    if (raw === undefined) {
      out[f.json] = zero(f);
      continue;
    }
    if (f.kind === 'string') out[f.json] = raw;
    else if (f.kind === 'int64') out[f.json] = raw === '' ? 0 : int64(raw);
    else {
      // strconv.ParseBool
      if (raw === '' || ['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) out[f.json] = false;
      else if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) out[f.json] = true;
      else throw new BindError(`field ${f.json}: not a bool`);
    }
  }
  return out;
}

/**
 * net/url.ParseQuery: pairs split on `&`, `+` is a space, a bad `%` escape or a `;` is an error
 * (the valid pairs are still kept, as Go keeps them).
 */
export function parseGoQuery(raw: string): { values: Map<string, string[]>; error?: string } {
  const values = new Map<string, string[]>();
  let error: string | undefined;
  const unescape = (s: string): string | undefined => {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '%') {
        const h = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return undefined;
        bytes.push(parseInt(h, 16));
        i += 2;
      } else if (c === '+') bytes.push(0x20);
      else bytes.push(...Buffer.from(c, 'utf8'));
    }
    return Buffer.from(bytes).toString('utf8');
  };
  for (const piece of raw.split('&')) {
    if (piece.includes(';')) {
      error ??= 'invalid semicolon separator in query';
      continue;
    }
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const k = unescape(eq === -1 ? piece : piece.slice(0, eq));
    const v = unescape(eq === -1 ? '' : piece.slice(eq + 1));
    if (k === undefined || v === undefined) {
      error ??= 'invalid URL escape';
      continue;
    }
    values.set(k, [...(values.get(k) ?? []), v]);
  }
  return { values, error };
}
