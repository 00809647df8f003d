// The parsed shape of a `.udp` file. Plain data, no behaviour: the editor (CodeLens, diagnostics, hover, Test
// Explorer), the runner and the CLI all read the same model.
//
// Positions are 0-based `line` and `character` (UTF-16 code units), the same as vscode.Position, so the host can
// map them one to one. The CLI prints them 1-based as FILE:LINE:COL.

import type { PayloadEncoding } from '../../shared/dto';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'information';

export interface Diagnostic {
  severity: DiagnosticSeverity;
  /** A sentence: what is wrong and what to write instead. */
  message: string;
  range: Range;
  /** A stable id for quick fixes and tests, e.g. `unknown-header`, `bad-port`, `unknown-variable`. */
  code: string;
}

// ------------------------------------------------------------------------------------------- templates

/** A `{{…}}` expression. */
export type Expression =
  /** `{{host}}`: a file variable. */
  | { type: 'variable'; name: string }
  /** `{{$seq}}`, `{{$randomInt 1 6}}`…: a built-in, with its whitespace-separated arguments. */
  | { type: 'builtin'; name: BuiltinName; args: string[] }
  /** `{{$1}}` (and `{{$0}}`, the whole match): a capture of the Respond regex, only inside a Respond payload. */
  | { type: 'capture'; index: number }
  /** `{{ping.reply}}` / `{{ping.reply.1}}`: the reply an earlier SEND block received, or one of its captures. */
  | { type: 'reply'; block: string; capture?: number }
  /** `{{echo.port}}`: the port a LISTEN block is bound to (useful with LISTEN …:0, which picks a free one). */
  | { type: 'port'; block: string };

export type BuiltinName = 'seq' | 'timestamp' | 'isoTimestamp' | 'randomInt' | 'randomHex' | 'uuid' | 'env';

export interface TextSegment {
  kind: 'text';
  text: string;
}

export interface ExpressionSegment {
  kind: 'expression';
  expression: Expression;
  /** The source text between the braces, trimmed: `$randomInt 1 6`. */
  source: string;
  /** The whole `{{…}}` in the document. */
  range: Range;
}

export type Segment = TextSegment | ExpressionSegment;

/** Text that may hold `{{…}}` expressions; rendered at run time. */
export interface Template {
  /** The source text as written (for a body: its lines joined with "\n"). */
  raw: string;
  segments: Segment[];
  range: Range;
}

// --------------------------------------------------------------------------------------------- variables

export interface VariableDefinition {
  name: string;
  /** The value template (`@url = udp://{{host}}:{{port}}`). */
  value: Template;
  /** The whole `@name = value` line. */
  range: Range;
  nameRange: Range;
  /**
   * The value when it can be known without running (it uses only other such variables and no built-ins or
   * replies): for hover and for checking targets and payloads before anything is sent.
   */
  staticValue?: string;
}

// ------------------------------------------------------------------------------------------------ blocks

export type BlockMethod = 'SEND' | 'LISTEN';

/** `udp://` picks the socket type from the address; `udp4://` / `udp6://` force it. */
export type TargetScheme = 'udp' | 'udp4' | 'udp6';

export interface Header {
  /** As written (`expect`, `Expect`), for messages. */
  name: string;
  /** Canonical spelling when known (`Expect`), otherwise the name as written. */
  canonicalName: string;
  value: string;
  range: Range;
  nameRange: Range;
  valueRange: Range;
  known: boolean;
}

export type Expectation =
  | {
      kind: 'regex';
      /** The pattern source as a template; values put into it match literally (they are regex-escaped). */
      pattern: Template;
      flags: string;
      withinMs: number;
      range: Range;
    }
  | {
      kind: 'hex';
      /** Hex bytes; `??` stands for any one byte and a trailing `*` for any further bytes. */
      pattern: Template;
      withinMs: number;
      range: Range;
    };

export interface Responder {
  /** Undefined = answer every datagram. */
  pattern?: Template;
  flags: string;
  /** Undefined = echo the datagram back byte for byte. */
  payload?: Template;
  range: Range;
}

export interface Repeat {
  count: number;
  intervalMs: number;
  range: Range;
}

export interface Membership {
  group: string;
  interface?: string;
  /** For a source-specific join: `Join: 232.1.1.1 from 10.0.0.5`. */
  source?: string;
  range: Range;
}

export interface Block {
  /** 0-based position among the file's blocks. */
  index: number;
  /** The text after `###`, trimmed; undefined when the separator has no name (or the file starts without one). */
  name?: string;
  /** Name, or "SEND udp://host:port" with the line number, for lists and test items. */
  label: string;
  /** From the `###` line (or the first line of the block) to its last line, blank tail excluded. */
  range: Range;
  /** The `###` line, when there is one. */
  separatorRange?: Range;
  method: BlockMethod;
  /** The SEND/LISTEN line. */
  requestRange: Range;
  scheme: TargetScheme;
  /** `host:port` (SEND) or `[address:]port` (LISTEN), as a template without the scheme; undefined when missing. */
  target?: Template;
  headers: Header[];
  encoding: PayloadEncoding;
  /** `From:` on SEND blocks: the local address:port to send from. */
  from?: Template;
  repeat?: Repeat;
  expect?: Expectation;
  broadcast?: boolean;
  ttl?: number;
  multicastTTL?: number;
  multicastLoopback?: boolean;
  multicastInterface?: string;
  reuseAddress?: boolean;
  joins: Membership[];
  responders: Responder[];
  /** The payload (SEND). Undefined when the block has no body. */
  body?: Template;
  /** True when the block has an error diagnostic: it is shown but not run. */
  hasErrors: boolean;
}

export interface UdpFileModel {
  blocks: Block[];
  /** File variables by name (the last definition wins; duplicates get a warning). */
  variables: Map<string, VariableDefinition>;
  /** Every definition in file order, duplicates included (for hover and go-to-definition). */
  variableDefinitions: VariableDefinition[];
  diagnostics: Diagnostic[];
  lineCount: number;
}
