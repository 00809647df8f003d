// Which regular expressions can take super-linear time, so that only those pay for a time limit. Pure TypeScript,
// used by the host and the CLI (src/core/regexGuard.ts) and the Messages panel (src/webview/regexWorker.ts).
//
// A backtracking engine (V8's) can spend exponential time on nested quantifiers — /(a+)+$/ on "aaaa…b" — and
// polynomial time on a single one: measured on this machine, /\d+x/ against 65 507 digits took 18 s and /.*x/
// against 65 507 letters 10 s, and a datagram can be that long. So "risky" is not only nested quantifiers: any
// repetition (*, +, {n,}, {n,m}), a backreference, or many choices is guarded. What stays unguarded is what cannot
// repeat: literals, classes, anchors and a few `?` or `|` — at most 2^7 paths per start position.
// (Choices multiply without any repetition: (a|a)(a|a)… with 20 groups tries 2^20 paths before each failure.)

/** Choices (`?`, `|`) this many or more combine exponentially (a?a?a?…aaa…), so they count as repetition. */
const MANY_CHOICES = 8;

/** True when `source` (a RegExp's source) may backtrack super-linearly and must run under a time limit. */
export function mayBacktrack(source: string): boolean {
  let choices = 0;
  let inClass = false;
  // Whether the previous token opened a group: `(?` is group syntax ((?:, (?=, (?<name>), not a choice. An
  // escaped `\(` is a literal, so `\(?` (an optional parenthesis) is a choice like any other.
  let afterGroupOpen = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const groupOpen = afterGroupOpen;
    afterGroupOpen = false;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      // \1–\9 and \k<name> are backreferences (outside a class); matching them can backtrack without bound.
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<'))) return true;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') afterGroupOpen = true;
    else if (c === '*' || c === '+') return true;
    else if (c === '{' && /^\{\d*,?\d*\}/.test(source.slice(i)) && source[i + 1] !== '}') return true;
    else if ((c === '?' && !groupOpen) || c === '|') choices++;
  }
  return choices >= MANY_CHOICES;
}

/** "/(a+)+$/i", cut to `max` characters so a long pattern keeps a sentence readable. */
export function showPattern(source: string, flags: string, max = 60): string {
  const body = source.length > max ? `${source.slice(0, max - 1)}…` : source;
  return `/${body}/${flags}`;
}
