// Lint rules. The layering rule (lower layers never import higher ones; the core uses no Node API)
// is enforced here with no-restricted-imports, per directory.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeApis = {
  patterns: [{ group: ['node:*'], message: 'The core runs in browsers: no Node APIs here.' }],
};
const layer = (...higher) => ({
  patterns: [
    ...nodeApis.patterns,
    ...higher.map((h) => ({
      group: [`../${h}/*`, `../${h}/**`],
      message: `Lower layers never import ${h}/.`,
    })),
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'build/**', 'artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/wire/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        layer('tcp', 'stack', 'link', 'net', 'trace', 'cli', 'web'),
      ],
    },
  },
  {
    files: ['src/tcp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', layer('stack', 'link', 'net', 'trace', 'cli', 'web')],
    },
  },
  {
    files: ['src/stack/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', layer('link', 'net', 'trace', 'cli', 'web')] },
  },
  {
    // Objects made once per connection (the engine and its parts, the stack's handle): V8 keeps a
    // class-brand field in every instance of a class with private instance methods (8 bytes per
    // connection per class). Private static methods or module functions cost nothing per instance.
    files: ['src/tcp/**/*.ts', 'src/stack/tcp-connection.ts', 'src/stack/connection-table.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MethodDefinition[static=false] > PrivateIdentifier.key',
          message:
            'No private instance methods in per-connection classes (V8 adds a field to every instance): use a private static method or a function.',
        },
      ],
    },
  },
);
