import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'timers',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.cache/**', 'coverage/**', 'test-output/**', 'bin/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The workflow and the pure engine run in Temporal's deterministic sandbox: no I/O, no Node built-ins,
    // and activities only as types.
    files: ['workflows/**/*.ts', 'engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins,
            ...nodeBuiltins.map((m) => `node:${m}`),
            'pg',
            '@temporalio/activity',
            '@temporalio/client',
            '@temporalio/worker',
          ].map((name) => ({
            name,
            message: 'workflow code is deterministic and does no I/O; move this to an activity or a client',
          })),
          patterns: [
            {
              group: [
                '../activities',
                '../activities/*',
                '../adapters/*',
                '../infra/*',
                '../client/*',
                '../worker/*',
                '../config',
                '../config/*',
              ],
              allowTypeImports: true,
              message: 'import only types from here into workflow code',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'no environment in workflow code' },
        { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' },
      ],
    },
  },
  {
    // Arrows run downwards: storage, ports, activities and the audit library know nothing of their clients.
    files: ['adapters/**/*.ts', 'ports/**/*.ts', 'activities/**/*.ts', 'audit/**/*.ts', 'security/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/client', '**/client/*', '**/api', '**/api/*', '**/cli', '**/cli/*', '**/worker', '**/worker/*', '**/scripts/*'],
              message: 'a lower layer may not import its clients; move the shared part down (ports/, engine/, audit/)',
            },
          ],
        },
      ],
    },
  },
  {
    // The environment is read in one place (config/): everything else is given its configuration.
    // Tests and the benchmark set variables for the processes they start.
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['config/**', 'test/**', 'bench/**', 'web/test/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration through config/ (loadConfig, loadHostConfig)' },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
