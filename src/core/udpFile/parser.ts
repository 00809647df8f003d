// The `.udp` parser. Pure and total: any text gives a model plus positioned diagnostics; it never throws.
// The format is documented in docs/udp-files.md; in short:
//
//   # comment (also //)            @name = value
//   ### block name
//   SEND udp://host:port           (or LISTEN udp://address:port)
//   Header: value                  (until the first blank line)
//
//   payload                        (until the next ###)

import { encodePayload, isPayloadEncoding, PayloadError } from '../../shared/payload';
import { checkPayloadSize, validateAddress, parseBindSpec } from '../../shared/validation';
import type { PayloadEncoding } from '../../shared/dto';
import type {
  Block,
  BlockMethod,
  Diagnostic,
  DiagnosticSeverity,
  Expectation,
  Header,
  Membership,
  Range,
  Repeat,
  Responder,
  Template,
  UdpFileModel,
  VariableDefinition,
} from './model';
import {
  expressionsOf,
  isLiteral,
  joinTemplateLines,
  parseTemplateLine,
  range,
  renderTemplate,
  VARIABLE_NAME,
  type TemplateScope,
} from './template';
import { resolveTarget, splitScheme } from './target';

/** Used when an Expect has no `within`: long enough for a slow responder, short enough for a test run. */
export const DEFAULT_EXPECT_TIMEOUT_MS = 1000;
/** Repeat and timeouts are bounded so a typo cannot start an endless flood or a test that never ends. */
export const MAX_REPEAT = 1_000_000;
export const MAX_DURATION_MS = 3_600_000;

interface HeaderSpec {
  name: string;
  methods: readonly BlockMethod[];
  repeatable?: boolean;
  summary: string;
}

/** Every header the format knows, in the order docs and messages list them. */
export const HEADERS: readonly HeaderSpec[] = [
  { name: 'Encoding', methods: ['SEND', 'LISTEN'], summary: 'text, hex, base64 or escaped: how the body, Respond payloads and matches are written' },
  { name: 'From', methods: ['SEND'], summary: 'address:port (or just a port) to send from' },
  { name: 'Repeat', methods: ['SEND'], summary: 'N [every T ms]: send N datagrams' },
  { name: 'Expect', methods: ['SEND', 'LISTEN'], summary: '/regex/flags [within T ms]: the reply (SEND) or an incoming datagram (LISTEN) must match' },
  { name: 'Expect-Hex', methods: ['SEND', 'LISTEN'], summary: 'hex bytes [within T ms]: exact bytes; ?? is any byte, a trailing * any rest' },
  { name: 'Respond', methods: ['LISTEN'], repeatable: true, summary: '[/regex/flags] [-> payload]: answer matching datagrams (no payload: echo)' },
  { name: 'Join', methods: ['LISTEN'], repeatable: true, summary: 'group[@interface] [from source]: join a multicast group' },
  { name: 'Broadcast', methods: ['SEND', 'LISTEN'], summary: 'on or off: allow sending to broadcast addresses' },
  { name: 'TTL', methods: ['SEND', 'LISTEN'], summary: '1–255: unicast hop limit' },
  { name: 'Multicast-TTL', methods: ['SEND', 'LISTEN'], summary: '0–255: multicast hop limit' },
  { name: 'Multicast-Loopback', methods: ['SEND', 'LISTEN'], summary: 'on or off: receive your own multicast datagrams' },
  { name: 'Multicast-Interface', methods: ['SEND', 'LISTEN'], summary: 'local address of the interface for outgoing multicast' },
  { name: 'Reuse-Address', methods: ['LISTEN'], summary: 'on or off: share the port with other sockets (SO_REUSEADDR)' },
];

const HEADER_BY_LOWER = new Map(HEADERS.map((h) => [h.name.toLowerCase(), h]));
const KNOWN_HEADER_LIST = HEADERS.map((h) => h.name).join(', ');

const SEPARATOR = /^\s*###/;
const COMMENT = /^\s*(?:#|\/\/)/;
const REQUEST = /^(\s*)(SEND|LISTEN)(?=\s|$)/;
const REQUEST_ANY_CASE = /^\s*(send|listen)(?=\s|$)/i;
const HEADER = /^(\s*)([A-Za-z][A-Za-z0-9-]*)(\s*):(\s*)(.*?)\s*$/;
const VARIABLE = /^(\s*)@([^\s=]*)\s*(=?)\s*(.*?)\s*$/;

interface RawLine {
  line: number;
  text: string;
}

interface RawBlock {
  separator?: RawLine;
  name?: string;
  request?: RawLine;
  headers: RawLine[];
  body: RawLine[];
  firstLine: number;
  lastLine: number;
}

/** Parses a whole `.udp` document. Never throws; everything wrong becomes a diagnostic. */
export function parseUdpFile(text: string): UdpFileModel {
  try {
    return parseUnsafe(text);
  } catch (error) {
    // A parser bug must not take the editor down: report it as one diagnostic on the first line.
    return {
      blocks: [],
      variables: new Map(),
      variableDefinitions: [],
      lineCount: text.split(/\r\n|\r|\n/).length,
      diagnostics: [
        {
          severity: 'error',
          code: 'internal',
          message: `The .udp parser failed (${error instanceof Error ? error.message : String(error)}). Please report this file.`,
          range: range(0, 0, 0),
        },
      ],
    };
  }
}

function parseUnsafe(text: string): UdpFileModel {
  const lines = text.split(/\r\n|\r|\n/);
  const diagnostics: Diagnostic[] = [];
  const report = (severity: DiagnosticSeverity, code: string, message: string, where: Range) => diagnostics.push({ severity, code, message, range: where });

  // ---- pass 1: structure (blocks, their request/header/body lines) and variable lines
  const rawBlocks: RawBlock[] = [];
  const variableLines: RawLine[] = [];
  let current: RawBlock = { headers: [], body: [], firstLine: 0, lastLine: -1 };
  let state: 'preamble' | 'headers' | 'body' = 'preamble';
  const closeBlock = () => {
    if (current.request !== undefined) rawBlocks.push(current);
    else if (current.separator !== undefined && current.name !== undefined) {
      report('warning', 'block-without-request', `The block "${current.name}" has no SEND or LISTEN line, so it does nothing.`, lineRange(current.separator, lines));
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const lineText = lines[i]!;
    const raw = { line: i, text: lineText };
    if (SEPARATOR.test(lineText)) {
      closeBlock();
      const name = lineText.replace(/^\s*###/, '').trim();
      current = { separator: raw, ...(name !== '' ? { name } : {}), headers: [], body: [], firstLine: i, lastLine: i };
      state = 'preamble';
      continue;
    }
    const trimmed = lineText.trim();
    if (state === 'preamble') {
      if (trimmed === '' || COMMENT.test(lineText)) continue;
      if (trimmed.startsWith('@')) {
        variableLines.push(raw);
        continue;
      }
      if (REQUEST.test(lineText)) {
        current.request = raw;
        if (current.separator === undefined) current.firstLine = i;
        current.lastLine = i;
        state = 'headers';
        continue;
      }
      const lower = REQUEST_ANY_CASE.exec(lineText);
      const start = lineText.length - lineText.trimStart().length;
      if (lower) {
        report('error', 'method-case', `Write the method in capitals: ${lower[1]!.toUpperCase()}.`, range(i, start, start + lower[1]!.length));
      } else {
        report(
          'error',
          'expected-request',
          'Expected a request line such as "SEND udp://127.0.0.1:9000" or "LISTEN udp://127.0.0.1:9001", a comment, a variable (@name = value) or "###".',
          range(i, start, lineText.length),
        );
      }
      continue;
    }
    if (state === 'headers') {
      if (trimmed === '') {
        state = 'body';
        continue;
      }
      current.lastLine = i;
      if (COMMENT.test(lineText)) continue;
      current.headers.push(raw);
      continue;
    }
    current.body.push(raw);
  }
  closeBlock();

  // ---- pass 2: variables
  const definitions: VariableDefinition[] = [];
  const variables = new Map<string, VariableDefinition>();
  const nameSet = new Set<string>();
  const parsedVariableLines: Array<{ raw: RawLine; name: string; valueStart: number; value: string; nameStart: number }> = [];
  for (const raw of variableLines) {
    const m = VARIABLE.exec(raw.text)!;
    const indent = m[1]!.length;
    const name = m[2]!;
    const nameStart = indent + 1;
    if (!VARIABLE_NAME.test(name)) {
      report(
        'error',
        'bad-variable-name',
        name === ''
          ? 'A variable needs a name after "@", like @host = 127.0.0.1.'
          : `"${name}" is not a valid variable name. Start with a letter or "_" and use letters, digits, "_", "." or "-".`,
        range(raw.line, indent, indent + 1 + name.length),
      );
      continue;
    }
    if (m[3] !== '=') {
      report('error', 'variable-without-value', `The variable "${name}" needs "=" and a value, like @${name} = value.`, range(raw.line, indent, raw.text.length));
      continue;
    }
    const value = m[4]!;
    const valueStart = value === '' ? raw.text.length : raw.text.lastIndexOf(value);
    nameSet.add(name);
    parsedVariableLines.push({ raw, name, valueStart, value, nameStart });
  }
  const variableNames = () => [...nameSet];
  const fileScope = (where: string, allowCaptures = false): TemplateScope => ({
    isVariable: (n) => nameSet.has(n),
    variableNames,
    allowCaptures,
    where,
  });
  for (const v of parsedVariableLines) {
    const value = parseTemplateLine(v.value, { line: v.raw.line, character: v.valueStart }, fileScope('a variable value'), diagnostics);
    const def: VariableDefinition = {
      name: v.name,
      value,
      range: range(v.raw.line, 0, v.raw.text.length),
      nameRange: range(v.raw.line, v.nameStart, v.nameStart + v.name.length),
    };
    const previous = variables.get(v.name);
    if (previous !== undefined) {
      report('warning', 'duplicate-variable', `The variable "${v.name}" is already defined on line ${previous.range.start.line + 1}; this later value wins.`, def.nameRange);
    }
    definitions.push(def);
    variables.set(v.name, def);
  }
  computeStaticValues(variables, report);

  // ---- pass 3: blocks
  const blocks: Block[] = [];
  for (const raw of rawBlocks) {
    const diagnosticsBefore = diagnostics.length;
    const block = parseBlock(raw, blocks.length, lines, variables, fileScope, report);
    block.hasErrors = diagnostics.slice(diagnosticsBefore).some((d) => d.severity === 'error');
    blocks.push(block);
  }

  // ---- pass 4: names and cross-block references ({{ping.reply}})
  const byName = new Map<string, Block>();
  for (const block of blocks) {
    if (block.name === undefined) continue;
    const first = byName.get(block.name);
    if (first !== undefined) {
      report(
        'warning',
        'duplicate-block-name',
        `Another block is already named "${block.name}" (line ${first.range.start.line + 1}); --block and {{${block.name}.reply}} refer to that first one.`,
        block.separatorRange ?? block.requestRange,
      );
    } else byName.set(block.name, block);
  }
  for (const block of blocks) {
    for (const template of templatesOf(block)) {
      for (const seg of expressionsOf(template)) {
        if (seg.expression.type === 'port') {
          const source = byName.get(seg.expression.block);
          const problem =
            source === undefined
              ? `{{${seg.source}}} refers to a block named "${seg.expression.block}", but no block has that name.`
              : source.method !== 'LISTEN'
                ? `{{${seg.source}}} refers to "${seg.expression.block}", which is a SEND block; .port is the port a LISTEN block listens on.`
                : source === block && template === block.target
                  ? `{{${seg.source}}} refers to this block's own port, which is not known before it listens.`
                  : undefined;
          if (problem !== undefined) {
            report('error', 'bad-port-reference', problem, seg.range);
            block.hasErrors = true;
          }
          continue;
        }
        if (seg.expression.type !== 'reply') continue;
        const problem = replyReferenceProblem(seg.expression.block, seg.expression.capture, block, byName);
        if (problem !== undefined) {
          report('error', 'bad-reply-reference', problem, seg.range);
          block.hasErrors = true;
        }
      }
    }
  }

  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { blocks, variables, variableDefinitions: definitions, diagnostics, lineCount: lines.length };
}

/** Every template a block holds (target, From, Expect, Respond patterns and payloads, body). */
export function templatesOf(block: Block): Template[] {
  const out: Template[] = [];
  if (block.target) out.push(block.target);
  if (block.from) out.push(block.from);
  if (block.expect) out.push(block.expect.pattern);
  for (const r of block.responders) {
    if (r.pattern) out.push(r.pattern);
    if (r.payload) out.push(r.payload);
  }
  if (block.body) out.push(block.body);
  return out;
}

function replyReferenceProblem(name: string, capture: number | undefined, user: Block, byName: Map<string, Block>): string | undefined {
  const source = byName.get(name);
  const ref = `{{${name}.reply${capture !== undefined ? `.${capture}` : ''}}}`;
  if (source === undefined) return `${ref} refers to a block named "${name}", but no block has that name. Name a block with "### ${name}".`;
  if (source === user) return `${ref} refers to this block's own reply, which does not exist yet when it sends.`;
  if (source.index > user.index) return `${ref} refers to the block "${name}", which comes later in the file; a block can only use replies of blocks above it.`;
  if (source.method !== 'SEND' || source.expect === undefined) {
    return `${ref} refers to "${name}", which ${source.method === 'SEND' ? 'has no Expect or Expect-Hex header, so it does not wait for a reply' : 'is a LISTEN block'}; only a SEND block with Expect has a reply.`;
  }
  if (capture !== undefined && capture > 0 && source.expect.kind !== 'regex') {
    return `${ref} asks for capture ${capture}, but "${name}" uses Expect-Hex, which has no captures; use {{${name}.reply}}.`;
  }
  return undefined;
}

/** Values of variables that need nothing but other such variables; reports cycles. */
function computeStaticValues(
  variables: Map<string, VariableDefinition>,
  report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void,
): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string | undefined => {
    const def = variables.get(name);
    if (def === undefined) return undefined;
    const s = state.get(name);
    if (s === 'done') return def.staticValue;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      report('error', 'variable-cycle', `The variable "${name}" refers to itself (${cycle.join(' → ')}). Break the cycle with a plain value.`, def.nameRange);
      return undefined;
    }
    state.set(name, 'visiting');
    let isStatic = true;
    const values = new Map<string, string>();
    for (const seg of expressionsOf(def.value)) {
      if (seg.expression.type !== 'variable') {
        isStatic = false;
        continue;
      }
      const v = visit(seg.expression.name, [...path, name]);
      if (v === undefined) isStatic = false;
      else values.set(seg.expression.name, v);
    }
    state.set(name, 'done');
    if (isStatic) {
      def.staticValue = renderTemplate(def.value, (e) => (e.type === 'variable' ? values.get(e.name)! : ''));
    }
    return def.staticValue;
  };
  for (const name of variables.keys()) visit(name, []);
}

/** The template's text when it is known before running (literal, or only variables with static values). */
export function staticText(template: Template, variables: Map<string, VariableDefinition>): string | undefined {
  let out = '';
  for (const s of template.segments) {
    if (s.kind === 'text') out += s.text;
    else if (s.expression.type === 'variable') {
      const v = variables.get(s.expression.name)?.staticValue;
      if (v === undefined) return undefined;
      out += v;
    } else return undefined;
  }
  return out;
}

function lineRange(raw: RawLine, lines: string[]): Range {
  return range(raw.line, 0, (lines[raw.line] ?? '').length);
}

// ----------------------------------------------------------------------------------------------- blocks

function parseBlock(
  raw: RawBlock,
  index: number,
  lines: string[],
  variables: Map<string, VariableDefinition>,
  fileScope: (where: string, allowCaptures?: boolean) => TemplateScope,
  reportToFile: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void,
): Block {
  let errors = 0;
  const report = (severity: DiagnosticSeverity, code: string, message: string, where: Range) => {
    if (severity === 'error') errors++;
    reportToFile(severity, code, message, where);
  };
  const request = raw.request!;
  const m = REQUEST.exec(request.text)!;
  const method = m[2] as BlockMethod;
  const methodStart = m[1]!.length;
  const requestRange = range(request.line, methodStart, request.text.length);

  // Body lines: drop blank lines at both ends (the blank line after the headers is not part of the payload).
  let bodyLines = raw.body;
  while (bodyLines.length > 0 && bodyLines[0]!.text.trim() === '') bodyLines = bodyLines.slice(1);
  while (bodyLines.length > 0 && bodyLines[bodyLines.length - 1]!.text.trim() === '') bodyLines = bodyLines.slice(0, -1);
  const lastLine = bodyLines.length > 0 ? bodyLines[bodyLines.length - 1]!.line : raw.lastLine;

  const block: Block = {
    index,
    ...(raw.name !== undefined ? { name: raw.name } : {}),
    label: '',
    range: range(raw.firstLine, 0, (lines[lastLine] ?? '').length, lastLine),
    ...(raw.separator ? { separatorRange: lineRange(raw.separator, lines) } : {}),
    method,
    requestRange,
    scheme: 'udp',
    headers: [],
    encoding: 'text',
    joins: [],
    responders: [],
    hasErrors: false,
  };

  // Request line: METHOD target
  const afterMethod = request.text.slice(methodStart + method.length);
  const targetMatch = /^(\s+)(\S+)(\s*)(.*)$/.exec(afterMethod);
  if (!targetMatch) {
    report(
      'error',
      'missing-target',
      method === 'SEND' ? 'SEND needs a destination, like SEND udp://127.0.0.1:9000.' : 'LISTEN needs a port to listen on, like LISTEN udp://127.0.0.1:9001.',
      requestRange,
    );
  } else {
    const targetStart = methodStart + method.length + targetMatch[1]!.length;
    const targetText = targetMatch[2]!;
    const split = splitScheme(targetText);
    if (split.scheme) block.scheme = split.scheme;
    let targetProblems = 0;
    block.target = parseTemplateLine(split.rest, { line: request.line, character: targetStart + split.schemeLength }, fileScope('the address'), diagnosticsSink((severity, code, message, where) => {
      targetProblems++;
      report(severity, code, message, where);
    }));
    const trailing = targetMatch[4]!;
    if (trailing !== '') {
      const trailingStart = targetStart + targetText.length + targetMatch[3]!.length;
      report('error', 'trailing-text', `Unexpected "${trailing}" after the address. Put headers on their own lines below the ${method} line.`, range(request.line, trailingStart, request.text.length));
    }
    const known = targetProblems === 0 ? staticText(block.target, variables) : undefined;
    if (known !== undefined) {
      const target = resolveTarget(known, method, block.scheme);
      if (!target.ok) report('error', 'bad-target', target.message, range(request.line, targetStart, targetStart + targetText.length));
    }
  }

  // Headers. Encoding goes first whatever its line, because Respond payloads are checked in that encoding.
  const seen = new Map<string, Header>();
  const parsedHeaders = raw.headers.map((h) => parseHeaderLine(h, report)).filter((h): h is Header => h !== undefined);
  block.headers = parsedHeaders;
  const isEncoding = (h: Header) => h.name.toLowerCase() === 'encoding';
  for (const header of [...parsedHeaders.filter(isEncoding), ...parsedHeaders.filter((h) => !isEncoding(h))]) {
    const spec = HEADER_BY_LOWER.get(header.name.toLowerCase());
    if (spec === undefined) {
      report(
        'warning',
        'unknown-header',
        `Unknown header "${header.name}"; it is ignored. Known headers: ${KNOWN_HEADER_LIST}. If this line is the payload, put a blank line before it.`,
        header.nameRange,
      );
      continue;
    }
    if (!spec.methods.includes(method)) {
      report('warning', 'header-not-for-method', `${spec.name} applies only to ${spec.methods.join(' and ')} blocks; it is ignored here.`, header.nameRange);
      continue;
    }
    const earlier = seen.get(spec.name);
    if (earlier !== undefined && !spec.repeatable) {
      report('warning', 'duplicate-header', `${spec.name} is already set on line ${earlier.range.start.line + 1}; this later one wins.`, header.nameRange);
    }
    if (spec.name === 'Expect' || spec.name === 'Expect-Hex') {
      const other = seen.get(spec.name === 'Expect' ? 'Expect-Hex' : 'Expect');
      if (other !== undefined) report('warning', 'duplicate-header', `A block has one expectation: this ${spec.name} replaces the ${other.canonicalName} on line ${other.range.start.line + 1}.`, header.nameRange);
    }
    seen.set(spec.name, header);
    applyHeader(block, spec.name, header, variables, fileScope, report);
  }

  // Body
  if (bodyLines.length > 0) {
    // In a hex body "#" starts a comment to the end of the line ("#" is never a hex digit), so binary
    // protocols can be annotated field by field.
    const text = (l: RawLine) => (block.encoding === 'hex' && l.text.includes('#') ? l.text.slice(0, l.text.indexOf('#')) : l.text);
    const bodyTemplates = bodyLines.map((l) => parseTemplateLine(text(l), { line: l.line, character: 0 }, fileScope('the payload'), diagnosticsSink(report)));
    block.body = joinTemplateLines(bodyTemplates);
    if (method === 'LISTEN') {
      report('warning', 'listen-body', 'A LISTEN block sends nothing by itself, so this text is ignored. Answer datagrams with a Respond: header.', block.body.range);
    } else {
      checkStaticPayload(block.body, block.encoding, variables, block, report);
    }
  } else if (method === 'SEND' && errors === 0 && raw.headers.length === 0 && raw.body.length === 0) {
    // An empty datagram is legal UDP; say so, since it is more often a forgotten payload.
    report('information', 'empty-payload', 'This block has no payload, so it sends an empty datagram (0 bytes).', requestRange);
  }

  block.label = block.name ?? `${method} ${block.target?.raw ?? ''} (line ${request.line + 1})`.replace('  ', ' ');
  return block;
}

function diagnosticsSink(report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void): Diagnostic[] {
  // parseTemplateLine appends to an array; forward each push to `report`.
  const sink: Diagnostic[] = [];
  sink.push = (...items: Diagnostic[]) => {
    for (const d of items) report(d.severity, d.code, d.message, d.range);
    return 0;
  };
  return sink;
}

function parseHeaderLine(raw: RawLine, report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void): Header | undefined {
  const m = HEADER.exec(raw.text);
  const start = raw.text.length - raw.text.trimStart().length;
  if (!m) {
    report(
      'error',
      'bad-header',
      'Expected a header like "Name: value". Leave a blank line between the headers and the payload.',
      range(raw.line, start, raw.text.length),
    );
    return undefined;
  }
  const name = m[2]!;
  const nameStart = m[1]!.length;
  const valueStart = nameStart + name.length + m[3]!.length + 1 + m[4]!.length;
  const value = m[5]!;
  const spec = HEADER_BY_LOWER.get(name.toLowerCase());
  return {
    name,
    canonicalName: spec?.name ?? name,
    value,
    range: range(raw.line, nameStart, raw.text.length),
    nameRange: range(raw.line, nameStart, nameStart + name.length),
    valueRange: range(raw.line, valueStart, valueStart + value.length),
    known: spec !== undefined,
  };
}

/** A header value that must be known before running: variables allowed, built-ins and replies not. */
function staticHeaderValue(
  header: Header,
  variables: Map<string, VariableDefinition>,
  fileScope: (where: string) => TemplateScope,
  report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void,
): string | undefined {
  if (!header.value.includes('{{')) return header.value;
  const sink = diagnosticsSink(report);
  const template = parseTemplateLine(header.value, header.valueRange.start, fileScope(`the ${header.canonicalName} header`), sink);
  if (isLiteral(template)) return template.raw;
  const value = staticText(template, variables);
  if (value === undefined) {
    report('error', 'dynamic-header', `${header.canonicalName} must be known before the block runs, so it can use file variables but not built-ins or replies.`, header.valueRange);
  }
  return value;
}

function applyHeader(
  block: Block,
  name: string,
  header: Header,
  variables: Map<string, VariableDefinition>,
  fileScope: (where: string, allowCaptures?: boolean) => TemplateScope,
  report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void,
): void {
  const bad = (code: string, message: string) => report('error', code, message, header.valueRange);
  const line = header.valueRange.start.line;
  const at = header.valueRange.start.character;
  switch (name) {
    case 'Encoding': {
      const v = staticHeaderValue(header, variables, fileScope, report)?.toLowerCase();
      if (v === undefined) return;
      if (!isPayloadEncoding(v)) return bad('bad-encoding', `"${header.value}" is not an encoding. Use text, hex, base64 or escaped.`);
      block.encoding = v;
      // A body parsed before this header (not possible: headers come first) would need re-checking; nothing to do.
      return;
    }
    case 'From': {
      const template = parseTemplateLine(header.value, header.valueRange.start, fileScope('the From header'), diagnosticsSink(report));
      block.from = template;
      const known = staticText(template, variables);
      if (known !== undefined) {
        const spec = parseBindSpec(known.replace(/^udp:\/\//i, ''));
        if (!spec.ok) bad('bad-from', spec.message);
        else if (spec.value.kind === 'hostname') bad('bad-from', `From needs a local IP address, not the host name "${spec.value.host}"; for example From: 127.0.0.1:5000.`);
      }
      return;
    }
    case 'Repeat': {
      const v = staticHeaderValue(header, variables, fileScope, report);
      if (v === undefined) return;
      const r = parseRepeat(v, header.valueRange);
      if (typeof r === 'string') return bad('bad-repeat', r);
      block.repeat = r;
      return;
    }
    case 'Expect': {
      const regex = parseRegexLiteral(header.value);
      if (typeof regex === 'string') return bad('bad-expect', regex);
      const pattern = parseTemplateLine(regex.source, { line, character: at + 1 }, fileScope('an Expect pattern'), diagnosticsSink(report));
      const rest = header.value.slice(regex.end).trim();
      const within = parseWithin(rest);
      if (typeof within === 'string') return report('error', 'bad-within', within, range(line, at + regex.end, header.valueRange.end.character));
      const flags = checkFlags(regex.flags, header, report);
      checkRegexCompiles(pattern, flags, report);
      block.expect = { kind: 'regex', pattern, flags, withinMs: within, range: header.range };
      return;
    }
    case 'Expect-Hex': {
      const w = /\s+within\s+.*$/i.exec(header.value);
      const hexPart = w ? header.value.slice(0, w.index) : header.value;
      const within = parseWithin(w ? w[0].trim() : '');
      if (typeof within === 'string') return bad('bad-within', within);
      const pattern = parseTemplateLine(hexPart, header.valueRange.start, fileScope('an Expect-Hex pattern'), diagnosticsSink(report));
      const known = staticText(pattern, variables);
      if (known !== undefined) {
        const problem = hexPatternProblem(known);
        if (problem !== undefined) bad('bad-expect-hex', problem);
      }
      const expectation: Expectation = { kind: 'hex', pattern, withinMs: within, range: header.range };
      block.expect = expectation;
      return;
    }
    case 'Respond': {
      const responder = parseResponder(header, block.encoding, variables, fileScope, report);
      if (responder !== undefined) block.responders.push(responder);
      return;
    }
    case 'Join': {
      const v = staticHeaderValue(header, variables, fileScope, report);
      if (v === undefined) return;
      const membership = parseJoin(v, header.range);
      if (typeof membership === 'string') return bad('bad-join', membership);
      block.joins.push(membership);
      return;
    }
    case 'Broadcast':
    case 'Multicast-Loopback':
    case 'Reuse-Address': {
      const v = staticHeaderValue(header, variables, fileScope, report);
      if (v === undefined) return;
      const on = parseSwitch(v);
      if (on === undefined) return bad('bad-switch', `${name} is on or off, not "${v}".`);
      if (name === 'Broadcast') block.broadcast = on;
      else if (name === 'Multicast-Loopback') block.multicastLoopback = on;
      else block.reuseAddress = on;
      return;
    }
    case 'TTL':
    case 'Multicast-TTL': {
      const v = staticHeaderValue(header, variables, fileScope, report);
      if (v === undefined) return;
      const min = name === 'TTL' ? 1 : 0;
      if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > 255) return bad('bad-ttl', `${name} is a whole number from ${min} to 255, not "${v}".`);
      if (name === 'TTL') block.ttl = Number(v);
      else block.multicastTTL = Number(v);
      return;
    }
    case 'Multicast-Interface': {
      const v = staticHeaderValue(header, variables, fileScope, report);
      if (v === undefined) return;
      const a = validateAddress(v);
      if (!a.ok || a.value.kind === 'hostname') return bad('bad-interface', a.ok ? `Multicast-Interface needs the local IP address of an interface, not the host name "${v}".` : a.message);
      block.multicastInterface = a.value.address;
      return;
    }
  }
}

function parseSwitch(v: string): boolean | undefined {
  const s = v.trim().toLowerCase();
  if (s === 'on' || s === 'true' || s === 'yes') return true;
  if (s === 'off' || s === 'false' || s === 'no') return false;
  return undefined;
}

/** `N`, `N times`, `N every T ms`, `N every 1.5s`. */
function parseRepeat(v: string, where: Range): Repeat | string {
  const m = /^(\d+)(?:\s*(?:times|x))?(?:\s+every\s+(\d+(?:\.\d+)?)\s*(ms|s)?)?$/i.exec(v.trim());
  if (!m) return `Repeat is written as "N every T ms", like "Repeat: 10 every 100 ms", not "${v}".`;
  const count = Number(m[1]);
  if (count < 1 || count > MAX_REPEAT) return `Repeat needs a count from 1 to ${MAX_REPEAT.toLocaleString('en-US')}, not ${m[1]}.`;
  const interval = m[2] === undefined ? 0 : Number(m[2]) * (m[3]?.toLowerCase() === 's' ? 1000 : 1);
  if (interval > MAX_DURATION_MS) return 'The Repeat interval may be at most one hour.';
  return { count, intervalMs: interval, range: where };
}

/** `within 500ms`, `within 500 ms`, `within 2s`; empty = the default. */
function parseWithin(rest: string): number | string {
  if (rest === '') return DEFAULT_EXPECT_TIMEOUT_MS;
  const m = /^within\s+(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(rest);
  if (!m) return `Expected "within T ms" after the pattern (like "within 500 ms"), not "${rest}".`;
  const ms = Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1);
  if (ms <= 0 || ms > MAX_DURATION_MS) return `The wait must be more than 0 ms and at most one hour, not ${m[1]}${m[2] ?? ''}.`;
  return ms;
}

/** Reads `/…/flags` at the start of `value`; `[…]` classes may hold an unescaped "/". */
export function parseRegexLiteral(value: string): { source: string; flags: string; end: number } | string {
  if (!value.startsWith('/')) return `Expected a regular expression between slashes, like /^pong (\\d+)$/, not "${value}".`;
  let inClass = false;
  for (let i = 1; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '/') {
      const flags = /^[A-Za-z]*/.exec(value.slice(i + 1))![0];
      return { source: value.slice(1, i), flags, end: i + 1 + flags.length };
    }
  }
  return 'The regular expression has no closing "/". Escape a slash inside it as \\/.';
}

function checkFlags(flags: string, header: Header, report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void): string {
  let kept = '';
  for (const f of flags) {
    if ('imsuv'.includes(f)) {
      if (kept.includes(f)) report('warning', 'regex-flags', `The flag "${f}" is given twice.`, header.valueRange);
      else kept += f;
    } else if (f === 'g' || f === 'y' || f === 'd') {
      report('warning', 'regex-flags', `The flag "${f}" has no effect on a match and is ignored.`, header.valueRange);
    } else {
      report('error', 'regex-flags', `"${f}" is not a regular-expression flag. Use i, m, s, u or v.`, header.valueRange);
    }
  }
  if (kept.includes('u') && kept.includes('v')) {
    report('error', 'regex-flags', 'The flags u and v cannot be combined; use one.', header.valueRange);
    kept = kept.replace('v', '');
  }
  return kept;
}

/** Compiles the pattern with every expression replaced by an empty group, to report syntax errors early. */
function checkRegexCompiles(pattern: Template, flags: string, report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void): boolean {
  const probe = renderTemplate(pattern, () => '', () => '(?:)');
  try {
    new RegExp(probe, flags);
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(error);
    report('error', 'bad-regex', `The regular expression is not valid: ${reason}.`, pattern.range);
    return false;
  }
}

/** Checks `01 02 ?? *` style patterns (after variables are filled in). */
export function hexPatternProblem(text: string): string | undefined {
  const tokens = text.trim().split(/[\s:,]+/).filter((t) => t !== '');
  if (tokens.length === 0) return 'Expect-Hex needs the expected bytes, like "Expect-Hex: 01 02 ff".';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '??') continue;
    if (t === '*') {
      if (i !== tokens.length - 1) return 'In Expect-Hex, "*" (any further bytes) may only come last.';
      continue;
    }
    try {
      encodePayload(t, 'hex');
    } catch (error) {
      if (error instanceof PayloadError) return `In Expect-Hex, "${t}" is not hex bytes: ${error.reason}. Use pairs of hex digits, ?? for any byte, or * at the end.`;
      throw error;
    }
  }
  return undefined;
}

function parseJoin(v: string, where: Range): Membership | string {
  const m = /^(\S+?)(?:@(\S+))?(?:\s+from\s+(\S+))?$/i.exec(v.trim());
  if (!m) return `Join is written as "group[@interface] [from source]", like "Join: 239.1.2.3@127.0.0.1", not "${v}".`;
  const group = validateAddress(m[1]!);
  if (!group.ok) return group.message;
  if (!isMulticast(group.value.address)) {
    return `${m[1]} is not a multicast group. IPv4 groups are 224.0.0.0 to 239.255.255.255; IPv6 groups start with ff.`;
  }
  const membership: Membership = { group: group.value.address, range: where };
  if (m[2] !== undefined) {
    const iface = validateAddress(m[2]);
    if (!iface.ok || iface.value.kind === 'hostname') return iface.ok ? `The interface after "@" must be a local IP address, not "${m[2]}".` : iface.message;
    membership.interface = iface.value.address;
  }
  if (m[3] !== undefined) {
    const source = validateAddress(m[3]);
    if (!source.ok || source.value.kind === 'hostname') return source.ok ? `The source after "from" must be an IP address, not "${m[3]}".` : source.message;
    membership.source = source.value.address;
  }
  return membership;
}

export function isMulticast(address: string): boolean {
  if (address.includes(':')) return /^ff/i.test(address);
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

function parseResponder(
  header: Header,
  encoding: PayloadEncoding,
  variables: Map<string, VariableDefinition>,
  fileScope: (where: string, allowCaptures?: boolean) => TemplateScope,
  report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void,
): Responder | undefined {
  const value = header.value;
  const line = header.valueRange.start.line;
  const at = header.valueRange.start.character;
  let pattern: Template | undefined;
  let flags = '';
  let rest = value;
  let restStart = 0;
  if (value.startsWith('/')) {
    const regex = parseRegexLiteral(value);
    if (typeof regex === 'string') {
      report('error', 'bad-respond', regex, header.valueRange);
      return undefined;
    }
    pattern = parseTemplateLine(regex.source, { line, character: at + 1 }, fileScope('a Respond pattern'), diagnosticsSink(report));
    flags = checkFlags(regex.flags, header, report);
    if (!checkRegexCompiles(pattern, flags, report)) return undefined;
    rest = value.slice(regex.end);
    restStart = regex.end;
  }
  const arrow = /^\s*->\s?/.exec(rest);
  let payload: Template | undefined;
  if (arrow) {
    const payloadText = rest.slice(arrow[0].length);
    payload = parseTemplateLine(payloadText, { line, character: at + restStart + arrow[0].length }, fileScope('a Respond payload', true), diagnosticsSink(report));
    const known = staticText(payload, variables);
    if (known !== undefined) {
      try {
        encodePayload(known, encoding);
      } catch (error) {
        if (!(error instanceof PayloadError)) throw error;
        const position = isLiteral(payload) ? at + restStart + arrow[0].length + error.position : at;
        report('error', 'bad-payload', `The Respond payload is not valid ${encoding}: ${error.reason}.`, range(line, position, position + 1));
      }
    }
  } else if (rest.trim() !== '') {
    report('error', 'bad-respond', `Expected "-> payload" after the pattern, not "${rest.trim()}". Write Respond: /regex/ -> payload (or no payload to echo).`, range(line, at + restStart, header.valueRange.end.character));
    return undefined;
  } else if (pattern === undefined) {
    report('error', 'bad-respond', 'Respond needs a pattern, a payload or both, like Respond: /^ping (\\d+)$/ -> pong {{$1}}.', header.range);
    return undefined;
  }
  return { ...(pattern ? { pattern } : {}), flags, ...(payload ? { payload } : {}), range: header.range };
}

/** Encodes a body known before running, so a typo in hex or an escape is an editor diagnostic with a position. */
function checkStaticPayload(
  body: Template,
  encoding: PayloadEncoding,
  variables: Map<string, VariableDefinition>,
  block: Block,
  report: (severity: DiagnosticSeverity, code: string, message: string, where: Range) => void,
): void {
  const known = staticText(body, variables);
  if (known === undefined) return;
  let bytes: Uint8Array;
  try {
    bytes = encodePayload(known, encoding);
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    // Map the offset back to a line and column when the body is literal (no variables moved the text).
    let where: Range = { start: body.range.start, end: body.range.start };
    if (isLiteral(body)) {
      const before = known.slice(0, error.position).split('\n');
      const line = body.range.start.line + before.length - 1;
      const character = before.length === 1 ? body.range.start.character + before[0]!.length : before[before.length - 1]!.length;
      where = range(line, character, character + 1);
    }
    report('error', 'bad-payload', `The payload is not valid ${encoding === 'escaped' ? 'escaped text' : encoding}: ${error.reason}.`, where);
    return;
  }
  const family = block.scheme === 'udp6' || block.target?.raw.trim().startsWith('[') ? 'IPv6' : 'IPv4';
  const size = checkPayloadSize(bytes.length, family);
  if (size.error) report('error', 'payload-too-large', size.error, body.range);
  else if (size.warning) report('warning', 'payload-fragmented', size.warning, body.range);
}
