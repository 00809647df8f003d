// Lint, and the layer boundaries as errors (see README "Architecture"):
//   core   — Node only, never `vscode`, never host/webview code;
//   shared — pure TypeScript: no `vscode`, no Node built-ins, no other layer;
//   webview — browser code: imports only shared (and browser packages), no Node, no `vscode`;
//   cli    — Node, never `vscode`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const noVscode = { name: 'vscode', message: 'Only src/host may import vscode; keep this layer testable without the editor.' };
const nodeBuiltinPaths = nodeBuiltins.map((name) => ({
  name,
  message: 'This layer also runs in the webview: no Node built-ins here.',
}));
const layer = (name) => ({
  group: [`**/${name}`, `**/${name}/**`, `../${name}/*`, `../../${name}/*`],
  message: `This layer must not import from src/${name}.`,
});

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-results/**', 'test/lint-fixtures/**', '.vscode-test/**', 'docs/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(describe|it|suite|test)$/][callee.property.name='only']", message: 'No focused tests.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [layer('host'), layer('webview'), layer('cli')] }] },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode, ...nodeBuiltinPaths], patterns: [layer('core'), layer('host'), layer('webview'), layer('cli')] },
      ],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noVscode, ...nodeBuiltinPaths], patterns: [layer('core'), layer('host'), layer('cli')] },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [layer('host'), layer('webview')] }] },
  },
);
