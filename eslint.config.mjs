// `make lint`: typescript-eslint's type-checked rules on the TypeScript, ESLint's recommended
// rules on the scripts, and no import cycles anywhere (workspace packages resolved to their src).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/dist/', 'k8s/', 'services/cli/test/fixtures/'] },
  js.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      // Dependencies are parsed to follow their imports: the TypeScript ones with typescript-eslint's parser.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // The `development` condition points @bullpen/* at their TypeScript sources, as tsx and jest do.
      'import-x/resolver-next': [createNodeResolver({ conditionNames: ['development', 'types', 'import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      // As tsc's noUnused* allow: `_` names what is left unused on purpose, rest siblings drop keys.
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Type-only imports are erased at compile time, so the rule follows only the imports that load a module.
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  { files: ['eslint.config.mjs'], languageOptions: { sourceType: 'module' } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Rejecting with a caught `unknown` (or an abort reason) passes the original error on.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // `any` comes in from JSON.parse, Express bodies, BullMQ's job data and the kube client's objects;
      // zod parses it where it matters and tsc's strict mode covers the rest.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `async` marks what returns a promise (interface methods, handlers); a body without await is not a bug.
      '@typescript-eslint/require-await': 'off',
      // `${x}` stringifies as String(x) does; messages print unknown values (errors, replies) on purpose.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // Fires on function-valued fields declared in method syntax (deferred resolve/reject, stdout); none uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // A destructuring with one reassigned name stays `let` as a whole, as does a name a closure reads first.
      'prefer-const': ['error', { destructuring: 'all', ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests type response bodies and parsed JSON/YAML as `any` to read them without a schema.
    files: ['services/*/test/**/*.ts', 'test/**/*.ts', 'charts/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
