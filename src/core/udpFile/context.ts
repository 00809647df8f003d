// The values templates take during one run: file variables (each evaluated once per run, on first use), the
// built-ins ($seq, $timestamp, $uuid…), regex captures inside a Respond payload, and replies of earlier blocks.

import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { toHex } from '../../shared/payload';
import type { Expression, Range, Template, UdpFileModel } from './model';
import { renderTemplate, TemplateError, type Resolver } from './template';

export interface ReplyValue {
  /** The reply as text in the sending block's encoding (what {{name.reply}} gives). */
  text: string;
  /** Capture groups of the Expect pattern; index 0 is the whole match. */
  captures: string[];
}

export class RunContext {
  private seq = 0;
  private readonly values = new Map<string, string>();
  private readonly evaluating = new Set<string>();
  readonly replies = new Map<string, ReplyValue>();
  /** Ports LISTEN blocks are bound to, by block name ({{echo.port}}). */
  readonly ports = new Map<string, number>();

  constructor(
    readonly model: UdpFileModel,
    private readonly env: Record<string, string | undefined> = {},
  ) {}

  /** The $seq for the next datagram a SEND block of this run builds (Respond payloads count their own). */
  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * A resolver for one datagram: every {{$seq}} in it gives `seq`, and `captures` (from a Respond pattern)
   * answer {{$0}}, {{$1}}…
   */
  resolver(seq: number, captures?: readonly string[]): Resolver {
    const resolve: Resolver = (e, segment) => {
      switch (e.type) {
        case 'variable':
          return this.variable(e.name, segment.range);
        case 'builtin':
          return this.builtin(e, seq);
        case 'capture': {
          if (captures === undefined) throw new TemplateError(`{{$${e.index}}} is only available in a Respond payload.`, segment.range);
          return captures[e.index] ?? '';
        }
        case 'port': {
          const port = this.ports.get(e.block);
          if (port === undefined) {
            throw new TemplateError(`{{${segment.source}}} has no value: the LISTEN block "${e.block}" is not listening in this run.`, segment.range);
          }
          return String(port);
        }
        case 'reply': {
          const reply = this.replies.get(e.block);
          if (reply === undefined) {
            throw new TemplateError(`{{${segment.source}}} has no value yet: the block "${e.block}" has not received a matching reply in this run.`, segment.range);
          }
          if (e.capture === undefined) return reply.text;
          return reply.captures[e.capture] ?? '';
        }
      }
    };
    return resolve;
  }

  render(template: Template, seq: number, captures?: readonly string[], escape?: (value: string) => string): string {
    return renderTemplate(template, this.resolver(seq, captures), escape);
  }

  private variable(name: string, where: Range): string {
    const cached = this.values.get(name);
    if (cached !== undefined) return cached;
    const def = this.model.variables.get(name);
    if (def === undefined) throw new TemplateError(`The variable "${name}" is not defined.`, where);
    if (this.evaluating.has(name)) throw new TemplateError(`The variable "${name}" refers to itself.`, def.nameRange);
    this.evaluating.add(name);
    try {
      // A file variable is evaluated once per run, so {{id}} = {{$uuid}} is the same id in every block.
      const value = def.staticValue ?? renderTemplate(def.value, this.resolver(this.seq));
      this.values.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(name);
    }
  }

  private builtin(e: Extract<Expression, { type: 'builtin' }>, seq: number): string {
    switch (e.name) {
      case 'seq':
        return String(seq);
      case 'timestamp':
        return String(Date.now());
      case 'isoTimestamp':
        return new Date().toISOString();
      case 'randomInt': {
        const min = Number(e.args[0]);
        const max = Number(e.args[1]);
        // crypto.randomInt needs max − min < 2^48; fall back to Math.random for wider ranges.
        if (max - min < 2 ** 48 - 1) return String(randomInt(min, max + 1));
        return String(min + Math.floor(Math.random() * (max - min + 1)));
      }
      case 'randomHex':
        return toHex(randomBytes(Number(e.args[0])));
      case 'uuid':
        return randomUUID();
      case 'env':
        return this.env[e.args[0]!] ?? '';
    }
  }
}
