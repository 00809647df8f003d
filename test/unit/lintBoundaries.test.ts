import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

// Each fixture breaks one layer rule on purpose; lint it as if it stood in that layer and expect the error.
const root = path.resolve(__dirname, '../..');
const fixtures: Array<{ file: string; pretendPath: string; expect: RegExp }> = [
  { file: 'core-imports-vscode.ts', pretendPath: 'src/core/fixture.ts', expect: /Only src\/host may import vscode/ },
  { file: 'shared-imports-node.ts', pretendPath: 'src/shared/fixture.ts', expect: /no Node built-ins/ },
  { file: 'webview-imports-core.ts', pretendPath: 'src/webview/fixture.ts', expect: /must not import from src\/core/ },
];

describe('layer boundaries are lint errors', function () {
  this.timeout(60000);
  const eslint = new ESLint({ cwd: root });

  for (const f of fixtures) {
    it(`${f.file} fails lint when placed at ${f.pretendPath}`, async () => {
      const code = fs.readFileSync(path.join(root, 'test/lint-fixtures', f.file), 'utf8');
      const [result] = await eslint.lintText(code, { filePath: path.join(root, f.pretendPath) });
      const restricted = (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports');
      assert.equal(restricted.length, 1, JSON.stringify(result?.messages));
      assert.match(restricted[0]!.message, f.expect);
    });
  }

  it('the same import is allowed in src/host', async () => {
    const code = fs.readFileSync(path.join(root, 'test/lint-fixtures/core-imports-vscode.ts'), 'utf8');
    const [result] = await eslint.lintText(code, { filePath: path.join(root, 'src/host/fixture.ts') });
    assert.deepEqual(result?.messages.filter((m) => m.ruleId === 'no-restricted-imports'), []);
  });
});
