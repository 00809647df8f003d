// `{{…}}` templates: splitting text into literal and expression segments (with document ranges), checking each
// expression against what the file defines, and rendering a template with a resolver at run time.

import type { BuiltinName, Diagnostic, Expression, Position, Range, Segment, Template } from './model';

export interface BuiltinSpec {
  name: BuiltinName;
  /** `{{$randomInt min max}}` — how hover and completion show it. */
  signature: string;
  description: string;
  /** Returns a problem sentence (without the full stop) or undefined. */
  checkArgs(args: string[]): string | undefined;
}

const noArgs = (name: string) => (args: string[]) => (args.length === 0 ? undefined : `$${name} takes no arguments`);
const INT = /^-?\d+$/;

export const BUILTINS: readonly BuiltinSpec[] = [
  {
    name: 'seq',
    signature: '{{$seq}}',
    description: 'A counter: 1 for the first datagram the SEND blocks of a run send, 2 for the next, and so on. In a Respond payload it counts that LISTEN block’s answers.',
    checkArgs: noArgs('seq'),
  },
  {
    name: 'timestamp',
    signature: '{{$timestamp}}',
    description: 'Milliseconds since 1970-01-01 UTC when the datagram is built.',
    checkArgs: noArgs('timestamp'),
  },
  {
    name: 'isoTimestamp',
    signature: '{{$isoTimestamp}}',
    description: 'The current time as ISO 8601 UTC, e.g. 2026-05-01T12:00:00.000Z.',
    checkArgs: noArgs('isoTimestamp'),
  },
  {
    name: 'randomInt',
    signature: '{{$randomInt min max}}',
    description: 'A random whole number from min to max, both included.',
    checkArgs(args) {
      if (args.length !== 2 || !INT.test(args[0]!) || !INT.test(args[1]!)) return '$randomInt needs two whole numbers, like {{$randomInt 1 100}}';
      const [min, max] = args.map(Number) as [number, number];
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) return '$randomInt bounds must be safe integers';
      if (min > max) return `$randomInt needs min ≤ max, but ${min} > ${max}`;
      return undefined;
    },
  },
  {
    name: 'randomHex',
    signature: '{{$randomHex bytes}}',
    description: 'That many random bytes as hex pairs separated by spaces (use it in hex bodies), e.g. "9f 03 c2".',
    checkArgs(args) {
      if (args.length !== 1 || !/^\d+$/.test(args[0]!)) return '$randomHex needs a byte count, like {{$randomHex 4}}';
      const n = Number(args[0]);
      if (n < 1 || n > 65527) return `$randomHex needs a byte count from 1 to 65527, not ${args[0]}`;
      return undefined;
    },
  },
  {
    name: 'uuid',
    signature: '{{$uuid}}',
    description: 'A random version 4 UUID.',
    checkArgs: noArgs('uuid'),
  },
  {
    name: 'env',
    signature: '{{$env NAME}}',
    description: 'The value of the environment variable NAME (empty when it is not set) — handy for hosts and ports in CI.',
    checkArgs(args) {
      if (args.length !== 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(args[0]!)) return '$env needs one variable name, like {{$env STATSD_PORT}}';
      return undefined;
    },
  },
];

const BUILTIN_BY_NAME = new Map(BUILTINS.map((b) => [b.name as string, b]));

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const BLOCK_REFERENCE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const REPLY_REFERENCE = /^([A-Za-z_][A-Za-z0-9_-]*)\.reply(?:\.(\d+))?$/;
const PORT_REFERENCE = /^([A-Za-z_][A-Za-z0-9_-]*)\.port$/;

/** What an expression may refer to where the template stands. */
export interface TemplateScope {
  isVariable(name: string): boolean;
  variableNames(): string[];
  /** Capture references (`{{$1}}`) are allowed only in Respond payloads. */
  allowCaptures: boolean;
  /** Where the template is, for the capture error message. */
  where: string;
}

export const range = (line: number, start: number, end: number, endLine = line): Range => ({
  start: { line, character: start },
  end: { line: endLine, character: end },
});

/**
 * Parses one line of text (no line breaks) that starts at `start` in the document. Problems are appended to
 * `diagnostics`; the template is always returned (a broken expression becomes a literal segment).
 */
export function parseTemplateLine(text: string, start: Position, scope: TemplateScope, diagnostics: Diagnostic[]): Template {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open === -1) {
      literal += text.slice(i);
      break;
    }
    const close = text.indexOf('}}', open + 2);
    if (close === -1) {
      diagnostics.push({
        severity: 'warning',
        code: 'unclosed-expression',
        message: 'This "{{" is never closed with "}}" on the same line, so it is sent as written.',
        range: range(start.line, start.character + open, start.character + text.length),
      });
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    const inner = text.slice(open + 2, close);
    const exprRange = range(start.line, start.character + open, start.character + close + 2);
    const expression = parseExpression(inner, exprRange, scope, diagnostics);
    if (expression === undefined) {
      literal += text.slice(open, close + 2);
    } else {
      if (literal !== '') segments.push({ kind: 'text', text: literal });
      literal = '';
      segments.push({ kind: 'expression', expression, source: inner.trim(), range: exprRange });
    }
    i = close + 2;
  }
  if (literal !== '') segments.push({ kind: 'text', text: literal });
  return { raw: text, segments, range: range(start.line, start.character, start.character + text.length) };
}

/** Joins line templates with "\n" (a multi-line body). */
export function joinTemplateLines(lines: Template[]): Template {
  const segments: Segment[] = [];
  const push = (s: Segment) => {
    const last = segments[segments.length - 1];
    if (s.kind === 'text' && last?.kind === 'text') last.text += s.text;
    else segments.push(s.kind === 'text' ? { kind: 'text', text: s.text } : s);
  };
  lines.forEach((t, n) => {
    if (n > 0) push({ kind: 'text', text: '\n' });
    for (const s of t.segments) push(s);
  });
  const first = lines[0]!;
  const last = lines[lines.length - 1]!;
  return { raw: lines.map((t) => t.raw).join('\n'), segments, range: { start: first.range.start, end: last.range.end } };
}

function parseExpression(inner: string, where: Range, scope: TemplateScope, diagnostics: Diagnostic[]): Expression | undefined {
  const source = inner.trim();
  const error = (code: string, message: string): undefined => {
    diagnostics.push({ severity: 'error', code, message, range: where });
    return undefined;
  };
  if (source === '') return error('empty-expression', '"{{}}" is empty. Put a variable name, a built-in like $seq, or a reply like ping.reply inside.');
  if (source.startsWith('$')) {
    const capture = /^\$(\d+)$/.exec(source);
    if (capture) {
      if (!scope.allowCaptures) {
        return error('capture-outside-respond', `{{${source}}} is a regex capture, which exists only in a Respond payload (not in ${scope.where}).`);
      }
      return { type: 'capture', index: Number(capture[1]) };
    }
    const [head, ...args] = source.split(/\s+/);
    const name = head!.slice(1);
    const spec = BUILTIN_BY_NAME.get(name);
    if (spec === undefined) {
      return error('unknown-builtin', `{{${head}}} is not a built-in. Use one of: ${BUILTINS.map((b) => b.signature).join(', ')}.`);
    }
    const problem = spec.checkArgs(args);
    if (problem !== undefined) return error('bad-builtin-arguments', `${problem}.`);
    return { type: 'builtin', name: spec.name, args };
  }
  if (VARIABLE_NAME.test(source) && scope.isVariable(source)) return { type: 'variable', name: source };
  const reply = REPLY_REFERENCE.exec(source);
  if (reply) return { type: 'reply', block: reply[1]!, ...(reply[2] !== undefined ? { capture: Number(reply[2]) } : {}) };
  const port = PORT_REFERENCE.exec(source);
  if (port) return { type: 'port', block: port[1]! };
  if (VARIABLE_NAME.test(source)) {
    const known = scope.variableNames();
    const near = known.find((k) => k.toLowerCase() === source.toLowerCase());
    return error(
      'unknown-variable',
      `The variable "${source}" is not defined.` +
        (near !== undefined ? ` Did you mean "${near}"?` : known.length > 0 ? ` Defined: ${known.join(', ')}.` : ` Define it with a line like @${source} = value.`),
    );
  }
  return error('bad-expression', `"{{${source}}}" is not a variable, a built-in ($seq, $uuid, …), a capture ($1), a reply (name.reply) or a listener's port (name.port).`);
}

/** Every expression segment in a template. */
export function expressionsOf(template: Template | undefined): Array<Extract<Segment, { kind: 'expression' }>> {
  if (template === undefined) return [];
  return template.segments.filter((s): s is Extract<Segment, { kind: 'expression' }> => s.kind === 'expression');
}

/** A template with no expressions, or only the given literal: its text is known without running. */
export function isLiteral(template: Template): boolean {
  return template.segments.every((s) => s.kind === 'text');
}

/** Thrown by a resolver (and so by renderTemplate) when an expression cannot be given a value right now. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly range: Range,
  ) {
    super(message);
  }
}

export type Resolver = (expression: Expression, segment: Extract<Segment, { kind: 'expression' }>) => string;

/** Renders a template; `escape` is applied to every substituted value (regex-escaping for patterns). */
export function renderTemplate(template: Template, resolve: Resolver, escape?: (value: string) => string): string {
  let out = '';
  for (const s of template.segments) {
    if (s.kind === 'text') out += s.text;
    else {
      const value = resolve(s.expression, s);
      out += escape ? escape(value) : value;
    }
  }
  return out;
}

/** Makes a value match itself literally inside a regular expression. */
export function escapeRegExp(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
