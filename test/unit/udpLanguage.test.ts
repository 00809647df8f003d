// The `.udp` language contributions without VS Code: the TextMate grammar's structure and regexes, the language
// configuration and the snippets. vscode-textmate is not a dependency, so the grammar is checked in two ways:
// every regex must compile in the subset that both Oniguruma (what VS Code runs) and JavaScript accept, and the
// line rules that decide how a file is split into blocks must match (and not match) real lines.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILTINS, parseUdpFile } from '../../src/core/udpFile';

const root = path.resolve(__dirname, '../..');
const readJson = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(root, rel), 'utf8'));

interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  while?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule>;
  beginCaptures?: Record<string, Rule>;
  endCaptures?: Record<string, Rule>;
  comment?: string;
}
interface Grammar {
  scopeName: string;
  name: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}
interface Contributes {
  languages: Array<{ id: string; extensions: string[]; configuration: string }>;
  grammars: Array<{ language: string; scopeName: string; path: string }>;
  snippets: Array<{ language: string; path: string }>;
}

const pkg = readJson('package.json') as { contributes: Contributes };
const grammarEntry = pkg.contributes.grammars.find((g) => g.language === 'udp');
const grammar = readJson(grammarEntry?.path ?? 'syntaxes/udp.tmLanguage.json') as Grammar;

/**
 * Oniguruma syntax we allow that JavaScript spells differently: `\G` (the anchor where the parent rule's match
 * ended) and case-insensitive groups `(?i:…)`. Everything else must be valid in JavaScript's strict `u` mode,
 * which rejects the loose escapes and constructs where the two engines disagree.
 */
function toJavaScript(source: string): RegExp {
  let flags = 'u';
  let js = source.replace(/\\G/g, '(?:)');
  if (js.includes('(?i:')) {
    js = js.replace(/\(\?i:/g, '(?:');
    flags += 'i';
  }
  for (const forbidden of ['\\h', '\\H', '\\A', '\\z', '\\Z', '\\K']) {
    assert.ok(!source.includes(forbidden), `pattern uses ${forbidden}, which JavaScript and Oniguruma read differently: ${source}`);
  }
  // Possessive quantifiers, atomic groups and inline flags, looked for outside escapes and character classes.
  const bare = source.replace(/\\./g, 'e').replace(/\[(?:[^\]])*\]/g, 'c');
  for (const forbidden of ['(?>', '*+', '++', '?+', '}+', '(?i)', '(?x)', '(?m)']) {
    assert.ok(!bare.includes(forbidden), `pattern uses ${forbidden}, which JavaScript and Oniguruma read differently: ${source}`);
  }
  // Oniguruma only accepts lookbehinds of a fixed length.
  for (const m of source.matchAll(/\(\?<[=!]((?:\\.|[^()])*)\)/g)) {
    assert.ok(!/(?<!\\)[*+?{]/.test(m[1] ?? ''), `variable-length lookbehind in ${source}`);
  }
  return new RegExp(js, flags);
}

function groupCount(re: RegExp): number {
  return (new RegExp(`${re.source}|`, re.flags).exec('') ?? []).length - 1;
}

/** Every rule in the grammar with where it sits, for messages that point at the broken one. */
function allRules(): Array<{ where: string; rule: Rule }> {
  const out: Array<{ where: string; rule: Rule }> = [];
  const visit = (rule: Rule, where: string): void => {
    out.push({ where, rule });
    rule.patterns?.forEach((r, i) => visit(r, `${where}.patterns[${i}]`));
    for (const key of ['captures', 'beginCaptures', 'endCaptures'] as const) {
      for (const [n, r] of Object.entries(rule[key] ?? {})) visit(r, `${where}.${key}[${n}]`);
    }
  };
  grammar.patterns.forEach((r, i) => visit(r, `patterns[${i}]`));
  for (const [name, r] of Object.entries(grammar.repository)) visit(r, `repository.${name}`);
  return out;
}

function rule(name: string): Rule {
  const r = grammar.repository[name];
  assert.ok(r, `repository.${name} exists`);
  return r;
}
function regexOf(name: string, key: 'match' | 'begin' | 'end' = 'match'): RegExp {
  const source = rule(name)[key];
  assert.ok(source, `repository.${name}.${key} exists`);
  return toJavaScript(source);
}

describe('.udp language: package.json contributions', () => {
  it('declares the udp language for *.udp with files that exist', () => {
    const lang = pkg.contributes.languages.find((l) => l.id === 'udp');
    assert.ok(lang);
    assert.deepEqual(lang.extensions, ['.udp']);
    assert.ok(fs.existsSync(path.join(root, lang.configuration)));
    assert.ok(grammarEntry);
    assert.equal(grammarEntry.scopeName, grammar.scopeName);
    assert.equal(grammar.scopeName, 'source.udp');
    const snippets = pkg.contributes.snippets.find((s) => s.language === 'udp');
    assert.ok(snippets && fs.existsSync(path.join(root, snippets.path)));
  });
});

describe('.udp language: TextMate grammar structure', () => {
  it('has no dangling includes and no unused repository entries', () => {
    const used = new Set<string>();
    for (const { where, rule: r } of allRules()) {
      if (r.include === undefined) continue;
      if (r.include === '$self' || r.include === '$base') continue;
      assert.ok(r.include.startsWith('#'), `${where}: only local includes are expected, got ${r.include}`);
      const target = r.include.slice(1);
      assert.ok(grammar.repository[target], `${where}: include ${r.include} has no repository entry`);
      used.add(target);
    }
    for (const name of Object.keys(grammar.repository)) assert.ok(used.has(name), `repository.${name} is never included`);
  });

  it('gives every rule exactly one shape (match, begin/end, include or a pattern list)', () => {
    for (const { where, rule: r } of allRules()) {
      if (/\.(begin|end)?[cC]aptures\[\d+\]$/.test(where)) continue; // capture entries are names (+ optional patterns)
      const shapes = [r.match !== undefined, r.begin !== undefined, r.include !== undefined].filter(Boolean).length;
      if (shapes === 0) {
        assert.ok(Array.isArray(r.patterns), `${where}: a rule needs match, begin, include or patterns`);
        continue;
      }
      assert.equal(shapes, 1, `${where}: match, begin and include are exclusive`);
      if (r.begin !== undefined) assert.ok(r.end !== undefined || r.while !== undefined, `${where}: begin without end`);
      if (r.match !== undefined) assert.equal(r.patterns, undefined, `${where}: a match rule cannot hold patterns`);
    }
  });

  it('compiles every regex in the Oniguruma/JavaScript common subset, with captures that exist', () => {
    let count = 0;
    for (const { where, rule: r } of allRules()) {
      const pairs: Array<[string | undefined, Record<string, Rule> | undefined]> = [
        [r.match, r.captures],
        [r.begin, r.beginCaptures ?? r.captures],
        [r.end, r.endCaptures ?? r.captures],
      ];
      for (const [source, captures] of pairs) {
        if (source === undefined) continue;
        let re: RegExp;
        try {
          re = toJavaScript(source);
        } catch (error) {
          assert.fail(`${where}: ${(error as Error).message}`);
        }
        count++;
        for (const n of Object.keys(captures ?? {})) {
          assert.match(n, /^\d+$/, `${where}: capture keys are group numbers`);
          if (source === r.end && r.endCaptures === undefined && r.captures === undefined) continue;
          assert.ok(Number(n) <= groupCount(re), `${where}: capture ${n} but the regex has ${groupCount(re)} groups`);
        }
      }
    }
    assert.ok(count > 30, `expected the grammar's regexes to be checked, got ${count}`);
  });

  it('names every scope with the .udp suffix so themes and tests can tell them apart', () => {
    for (const { where, rule: r } of allRules()) {
      for (const scope of [r.name, r.contentName]) {
        if (scope === undefined) continue;
        for (const part of scope.split(/\s+/)) assert.match(part, /\.udp$/, `${where}: scope ${part}`);
      }
    }
  });
});

describe('.udp language: the line rules that split a file', () => {
  it('reads ### lines as block separators with an optional name', () => {
    const re = regexOf('separator');
    assert.equal(re.exec('### ping')?.[2], 'ping');
    assert.equal(re.exec('###   raw bytes  ')?.[2], 'raw bytes');
    assert.equal(re.exec('###')?.[2], '');
    assert.equal(re.exec('## not one'), null);
  });

  it('reads # and // lines as comments, but not ###', () => {
    const re = regexOf('comment');
    assert.ok(re.test('# a comment line (also //)'));
    assert.ok(re.test('  // indented'));
    assert.ok(re.test('## two hashes is still a comment'));
    assert.ok(!re.test('### ping'));
    assert.ok(!re.test('SEND udp://h:1 # not a comment line'));
  });

  it('reads @name = value as a file variable', () => {
    const m = regexOf('file-variable').exec('@host = 127.0.0.1');
    assert.deepEqual([m?.[2], m?.[4]], ['host', '127.0.0.1']);
    assert.equal(regexOf('file-variable').exec('@port={{base}}1 ')?.[4], '{{base}}1');
    assert.equal(regexOf('file-variable').exec('host = 1'), null);
  });

  it('starts a block at SEND or LISTEN with its URL, and ends it before the next ###', () => {
    const begin = regexOf('block', 'begin');
    const m = begin.exec('SEND udp://{{host}}:{{port}}');
    assert.deepEqual([m?.[1], m?.[2]], ['SEND', 'udp://{{host}}:{{port}}']);
    assert.equal(begin.exec('LISTEN udp://127.0.0.1:9001')?.[1], 'LISTEN');
    assert.equal(begin.exec('SENDER udp://x:1'), null);
    assert.equal(begin.exec('SEND-X udp://x:1'), null);
    assert.equal(begin.exec('send udp://x:1'), null, 'the parser wants capitals, so lower case is not coloured as a method');
    const end = regexOf('block', 'end');
    assert.ok(end.test('### next'));
    assert.ok(!end.test('ping ### inside a payload'));
  });

  it('ends the headers at the first blank line or a separator', () => {
    const end = regexOf('headers', 'end');
    assert.ok(end.test(''));
    assert.ok(end.test('   '));
    assert.ok(end.test('### next'));
    assert.ok(!end.test('Encoding: hex'));
  });

  it('reads headers case-insensitively and splits Expect and Respond values', () => {
    assert.equal(regexOf('header-expect').exec('expect: /^pong$/ within 500ms')?.[3], '/^pong$/ within 500ms');
    assert.equal(regexOf('header-expect').exec('Expect-Hex: 01'), null, 'Expect-Hex has its own rule');
    const respond = regexOf('header-respond').exec('Respond: /^ping (\\d+)$/ -> pong {{$1}}');
    assert.deepEqual([respond?.[3], respond?.[5]], ['/^ping (\\d+)$/', 'pong {{$1}}']);
    const slashInPayload = regexOf('header-respond').exec('Respond: /a/ -> x/y/z');
    assert.deepEqual([slashInPayload?.[3], slashInPayload?.[5]], ['/a/', 'x/y/z']);
    assert.equal(regexOf('header-encoding').exec('Encoding: HEX')?.[3], 'HEX');
    assert.equal(regexOf('header-encoding').exec('Encoding: utf16')?.[4], 'utf16');
    assert.equal(regexOf('header-generic').exec('Join: 239.1.2.3@eth0')?.[3], '239.1.2.3@eth0');
  });

  it('finds {{…}} interpolations, built-ins, captures and block replies', () => {
    const re = new RegExp(regexOf('interpolation').source, 'gu');
    const found = [...'ping {{$seq}} {{ host }} {{ping.reply.1}}'.matchAll(re)].map((m) => m[2]);
    assert.deepEqual(found, ['$seq', 'host', 'ping.reply.1']);
    const inner = rule('interpolation-inner').patterns ?? [];
    const builtin = toJavaScript(inner[0]?.match ?? '');
    assert.ok(BUILTINS.length >= 6);
    for (const { name } of BUILTINS) assert.equal(builtin.exec(`$${name}`)?.[2], name, `the grammar colours the built-in $${name}`);
    assert.equal(builtin.exec('$sequel'), null);
    const reply = toJavaScript(inner[3]?.match ?? '').exec('ping.reply.1');
    assert.deepEqual([reply?.[1], reply?.[3], reply?.[5]], ['ping', 'reply', '1']);
  });

  it('switches the rest of a block to hex after Encoding: hex, where # starts a comment', () => {
    const begin = regexOf('hex-encoding', 'begin');
    assert.equal(begin.exec('Encoding: hex')?.[3], 'hex');
    assert.equal(begin.exec('  encoding :HEX  ')?.[3], 'HEX');
    assert.equal(begin.exec('Encoding: hexadecimal'), null);
    assert.equal(begin.exec('Encoding: text'), null);
    assert.ok(regexOf('hex-encoding', 'end').test('### next'), 'the hex part ends with the block');
    assert.ok(regexOf('hex-payload', 'begin').test(''), 'the blank line after the headers starts the payload');
    const [comment, , bytes] = rule('hex-body').patterns ?? [];
    assert.equal(toJavaScript(comment?.match ?? '').exec('01 00   # flags')?.[0], '# flags');
    assert.deepEqual('12 34 0xff'.match(new RegExp(toJavaScript(bytes?.match ?? '').source, 'gu')), ['12', '34', '0xff']);
    assert.equal(regexOf('escaped-encoding', 'begin').exec('Encoding: escaped')?.[3], 'escaped');
  });

  it('highlights only the escapes the codec knows', () => {
    const escape = new RegExp(regexOf('escape').source, 'gu');
    assert.deepEqual('a\\x00\\n\\u{1F600}\\q\\\\'.match(escape), ['\\x00', '\\n', '\\u{1F600}', '\\\\']);
  });

  it('colours {{block.port}} like a reply reference', () => {
    const inner = rule('interpolation-inner').patterns ?? [];
    const port = inner.map((p) => toJavaScript(p.match ?? '(?!)')).find((re) => re.exec('echo.port')?.[3] === 'port');
    assert.ok(port, 'an interpolation rule reads echo.port');
  });
});

describe('.udp language: configuration and snippets', () => {
  it('comments with # and pairs {{ }}', () => {
    const config = readJson('language-configuration.json') as { comments: { lineComment: string }; brackets: string[][] };
    assert.equal(config.comments.lineComment, '#');
    assert.ok(config.brackets.some(([open, close]) => open === '{{' && close === '}}'));
  });

  /** Checks VS Code snippet syntax: `\` escapes, every `${` closes, choices `${1|a,b|}` are well formed. */
  function assertValidSnippet(name: string, body: string): void {
    let depth = 0;
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '$' && body[i + 1] === '{') {
        assert.match(body.slice(i + 2), /^(\d+|[A-Z_]+)[:|}]/, `${name}: \${ must name a tab stop or variable at ${i}`);
        depth++;
        i++;
      } else if (c === '}' && depth > 0) depth--;
    }
    assert.equal(depth, 0, `${name}: unbalanced \${…} in ${JSON.stringify(body)}`);
  }

  /** What the snippet inserts when every tab stop keeps its default (first choice of a choice list). */
  function expandDefaults(body: string): string {
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '\\') out += body[++i] ?? '';
      else if (c === '$' && body[i + 1] === '{') {
        const head = /^\$\{(\d+)(:|\|)/.exec(body.slice(i));
        if (head?.[2] === '|') {
          const end = body.indexOf('|}', i);
          out += body.slice(i + head[0].length, end).split(',')[0];
          i = end + 1;
        } else if (head) i += head[0].length - 1; // the default text follows; its closing } is skipped below
      } else if (c === '$' && /\d/.test(body[i + 1] ?? '')) {
        while (/\d/.test(body[i + 1] ?? '')) i++;
      } else if (c === '}') continue;
      else out += c;
    }
    return out;
  }

  const snippetEntry = pkg.contributes.snippets.find((s) => s.language === 'udp');
  const snippets = readJson(snippetEntry?.path ?? '') as Record<string, { prefix: string[]; body: string[]; description: string }>;

  it('has the snippets the editor offers, each with valid snippet syntax', () => {
    for (const [name, s] of Object.entries(snippets)) {
      assert.ok(s.prefix.length > 0 && s.description.length > 0, name);
      assertValidSnippet(name, s.body.join('\n'));
    }
    const prefixes = Object.values(snippets).flatMap((s) => s.prefix);
    for (const p of ['send', 'expect', 'listen', 'hex']) assert.ok(prefixes.includes(p), `snippet prefix ${p}`);
  });

  it('inserts blocks the parser accepts without errors or warnings when the defaults are kept', () => {
    const blockSnippets = Object.entries(snippets).filter(([, s]) => s.body[0]?.startsWith('###'));
    assert.ok(blockSnippets.length >= 4);
    for (const [name, s] of blockSnippets) {
      const text = expandDefaults(s.body.join('\n'));
      const model = parseUdpFile(text);
      const problems = model.diagnostics.filter((d) => d.severity !== 'information');
      assert.deepEqual(problems, [], `${name} expands to:\n${text}`);
      assert.equal(model.blocks.length, 1, name);
    }
    const expect = parseUdpFile(expandDefaults(snippets['Send and expect a reply']?.body.join('\n') ?? ''));
    assert.equal(expect.blocks[0]?.expect?.kind, 'regex');
    const listen = parseUdpFile(expandDefaults(snippets['Listen and respond']?.body.join('\n') ?? ''));
    assert.equal(listen.blocks[0]?.responders.length, 1);
    const hex = parseUdpFile(expandDefaults(snippets['Hex block']?.body.join('\n') ?? ''));
    assert.equal(hex.blocks[0]?.encoding, 'hex');
  });
});
