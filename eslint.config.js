// Type-aware lint for src, test and bench: the rules that catch what a review misses —
// a promise nobody awaits or catches, an async callback where a sync one is expected, a
// switch that forgets a case, a `return` of a promise inside try that skips its catch.
// Formatting is Prettier's job (npm run format / format:check), not this file's.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/.build/', 'dist/', 'test-artifacts/', 'bench/results/', 'bench/tox/'] },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.ts', 'bench/**/*.ts', 'types/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      // Each file is checked with its nearest tsconfig: src/ui has its own (DOM, JSX).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-base-to-string': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
