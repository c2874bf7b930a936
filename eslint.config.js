/**
 * `npm run lint` (part of `npm test`), beside dependency-cruiser's layers (.dependency-cruiser.cjs):
 * the engine's shape. SQL statements only in src/main/core/store; no engine file over 400 lines;
 * the composition root (engine.ts) at most 250.
 */
import tseslint from 'typescript-eslint';

const sqlCall = (method) => ({
  selector: `CallExpression[callee.type='MemberExpression'][callee.property.name='${method}']`,
  message: `.${method}() is SQL (or looks like it): statements live in src/main/core/store, behind repository methods`,
});

export default tseslint.config(
  {
    files: ['src/main/core/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'no-restricted-syntax': ['error', sqlCall('prepare'), sqlCall('exec'), sqlCall('pragma')],
    },
  },
  {
    files: ['src/main/core/store/**/*.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/main/core/engine.ts'],
    rules: { 'max-lines': ['error', { max: 250 }] },
  },
);
