// Questions the editor asks about a parsed file: which block is at this line, what is under the cursor (for
// hover), which block a name means. Pure functions over the model.

import type { Block, Expression, Position, Range, UdpFileModel } from './model';
import { HEADERS } from './parser';
import { BUILTINS, expressionsOf } from './template';
import { templatesOf } from './parser';

export function contains(range: Range, p: Position): boolean {
  const afterStart = p.line > range.start.line || (p.line === range.start.line && p.character >= range.start.character);
  const beforeEnd = p.line < range.end.line || (p.line === range.end.line && p.character <= range.end.character);
  return afterStart && beforeEnd;
}

/** The block whose lines include `line` (0-based). */
export function blockAtLine(model: UdpFileModel, line: number): Block | undefined {
  return model.blocks.find((b) => line >= b.range.start.line && line <= b.range.end.line);
}

/** A block by name (the first with that name, as {{name.reply}} and --block use it) or by 0-based index. */
export function findBlock(model: UdpFileModel, nameOrIndex: string | number): Block | undefined {
  if (typeof nameOrIndex === 'number') return model.blocks[nameOrIndex];
  return model.blocks.find((b) => b.name === nameOrIndex);
}

export interface HoverInfo {
  range: Range;
  /** 'reply' covers every value taken from another block: {{ping.reply}}, {{ping.reply.1}}, {{echo.port}}. */
  kind: 'variable' | 'builtin' | 'capture' | 'reply' | 'header';
  /** One line: `{{host}}`, `$randomInt min max`, `Expect`. */
  title: string;
  /** A sentence or two explaining it. */
  detail: string;
  /** The value, when it is known before running (file variables). */
  value?: string;
}

/** What the cursor is on, for hover: an expression, a variable definition or a header name. */
export function hoverAt(model: UdpFileModel, position: Position): HoverInfo | undefined {
  for (const def of model.variableDefinitions) {
    if (contains(def.nameRange, position)) return variableHover(model, def.name, def.nameRange);
    for (const seg of expressionsOf(def.value)) if (contains(seg.range, position)) return expressionHover(model, seg.expression, seg.range);
  }
  const block = blockAtLine(model, position.line);
  if (block === undefined) return undefined;
  for (const template of templatesOf(block)) {
    for (const seg of expressionsOf(template)) if (contains(seg.range, position)) return expressionHover(model, seg.expression, seg.range);
  }
  for (const header of block.headers) {
    if (!contains(header.nameRange, position)) continue;
    const spec = HEADERS.find((h) => h.name === header.canonicalName);
    if (spec === undefined) return undefined;
    return { range: header.nameRange, kind: 'header', title: spec.name, detail: `${spec.name}: ${spec.summary}.` };
  }
  return undefined;
}

function variableHover(model: UdpFileModel, name: string, range: Range): HoverInfo {
  const def = model.variables.get(name);
  const line = def ? def.range.start.line + 1 : 0;
  if (def?.staticValue !== undefined) {
    return { range, kind: 'variable', title: `{{${name}}}`, detail: `File variable defined on line ${line}.`, value: def.staticValue };
  }
  return {
    range,
    kind: 'variable',
    title: `{{${name}}}`,
    detail: `File variable defined on line ${line} as "${def?.value.raw ?? ''}"; it uses built-ins or replies, so its value is fixed once per run.`,
  };
}

function expressionHover(model: UdpFileModel, e: Expression, range: Range): HoverInfo {
  switch (e.type) {
    case 'variable':
      return variableHover(model, e.name, range);
    case 'builtin': {
      const spec = BUILTINS.find((b) => b.name === e.name)!;
      return { range, kind: 'builtin', title: spec.signature, detail: spec.description };
    }
    case 'capture':
      return {
        range,
        kind: 'capture',
        title: `{{$${e.index}}}`,
        detail: e.index === 0 ? 'The whole text the Respond pattern matched.' : `Capture group ${e.index} of the Respond pattern, from the datagram being answered.`,
      };
    case 'port':
      return {
        range,
        kind: 'reply',
        title: `{{${e.block}.port}}`,
        detail: `The port the LISTEN block "${e.block}" is bound to in this run (the one the system picked when it listens on port 0).`,
      };
    case 'reply': {
      const source = findBlock(model, e.block);
      return {
        range,
        kind: 'reply',
        title: `{{${e.block}.reply${e.capture !== undefined ? `.${e.capture}` : ''}}}`,
        detail:
          (e.capture === undefined
            ? `The reply the block "${e.block}" received, written in its encoding (${source?.encoding ?? 'text'}).`
            : `Capture group ${e.capture} of the block "${e.block}"'s Expect pattern in the reply it received.`) +
          (source ? ` Defined on line ${source.range.start.line + 1}.` : ''),
      };
    }
  }
}
