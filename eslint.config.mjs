import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'bench/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain CommonJS helper scripts run by npm/CI.
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries.
    files: ['src/workflows/**/*.ts'],
    // A feature's client.ts starts its workflows from outside: never part of the workflow bundle.
    ignores: ['src/workflows/**/client.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'http', 'net', 'os'],
              message: 'not allowed in workflow code',
            },
            {
              group: ['mongodb', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'not allowed in workflow code',
            },
            {
              group: ['../activities/*', '../db/*', '../api/*'],
              allowTypeImports: true,
              message: 'workflows may import only types from these',
            },
          ],
        },
      ],
    },
  },
);
