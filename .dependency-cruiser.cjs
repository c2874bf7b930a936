/**
 * The layers of ../shared/STYLE.md, checked on every `npm run lint` (and so on every `npm test`).
 * Who may import whom:
 *   src/shared         nothing of ours (the contract: types and zod schemas)
 *   src/main/core      shared, Node and native modules; never electron, the app, the CLI or the UI
 *   src/main/workers   core
 *   src/main/app, cli  anything in main
 *   src/preload        shared and electron
 *   src/renderer       shared (types) and its own files
 * Inside the engine, lower layers never reach up: util <- store <- index/media <- models <-
 * library <- indexing <- search/duplicates/status <- service <- engine.ts. SQLite only in store/,
 * hnswlib only in index/, sharp loaded only through media/sharp-settings.
 */
const core = '^src/main/core/';

/** A core folder may import only the folders listed (and itself). */
function coreLayer(folder, allowed) {
  const others = `${core}(?!(${[folder, ...allowed].join('|')})/)[^/]+/`;
  return {
    name: `core-${folder}-layer`,
    comment: `core/${folder} may import only core/{${allowed.join(', ')}} within the engine`,
    severity: 'error',
    from: { path: `${core}${folder}/` },
    to: { path: others },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-nothing',
      comment: 'the contract imports nothing of ours',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'core-is-plain-node',
      comment: 'the engine runs in the CLI, the server and the tests: never electron, the app, the CLI or the UI',
      severity: 'error',
      from: { path: core },
      to: { path: ['^src/main/(app|cli|workers)/', '^src/main/index\\.ts$', '^src/preload/', '^src/renderer/', 'node_modules/electron/'] },
    },
    {
      name: 'workers-use-core-only',
      severity: 'error',
      from: { path: '^src/main/workers/' },
      to: { path: ['^src/main/(app|cli)/', '^src/preload/', '^src/renderer/', 'node_modules/electron/'] },
    },
    {
      name: 'preload-is-a-bridge',
      severity: 'error',
      from: { path: '^src/preload/' },
      to: { path: '^src/', pathNot: ['^src/shared/', '^src/preload/'] },
    },
    {
      name: 'renderer-sees-the-contract-only',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: '^src/', pathNot: ['^src/shared/', '^src/renderer/'] },
    },
    {
      name: 'electron-only-in-the-app',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main/index\\.ts$', '^src/main/app/', '^src/preload/'] },
      to: { path: 'node_modules/electron/' },
    },
    {
      name: 'sqlite-only-in-store',
      severity: 'error',
      from: { path: '^src/', pathNot: `${core}store/` },
      to: { path: 'node_modules/better-sqlite3/' },
    },
    {
      name: 'sharp-through-its-settings',
      comment:
        "libvips' settings are the process's and sharp resets them in each thread that loads it: sharp is loaded through media/sharp-settings (types may come from sharp itself)",
      severity: 'error',
      from: { path: '^src/main/', pathNot: '^src/main/core/media/sharp-settings\\.ts$' },
      to: { path: 'node_modules/sharp/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'hnswlib-only-in-index',
      severity: 'error',
      from: { path: '^src/', pathNot: `${core}index/` },
      to: { path: 'node_modules/hnswlib-node/' },
    },
    coreLayer('util', []),
    coreLayer('store', ['util']),
    coreLayer('media', ['util']),
    coreLayer('index', ['store', 'util']),
    coreLayer('models', ['store', 'index', 'media', 'util']),
    coreLayer('library', ['store', 'media', 'util']),
    coreLayer('indexing', ['store', 'index', 'media', 'models', 'library', 'util']),
    coreLayer('search', ['store', 'index', 'media', 'models', 'util']),
    coreLayer('duplicates', ['store', 'index', 'media', 'models', 'util']),
    coreLayer('status', ['store', 'models', 'library', 'util']),
    coreLayer('service', ['store', 'index', 'media', 'models', 'library', 'indexing', 'search', 'duplicates', 'status', 'util']),
    {
      name: 'engine-root-only-from-above',
      comment: 'engine.ts wires the modules; no module imports it back',
      severity: 'error',
      from: { path: `${core}(?!service/)[^/]+/` },
      to: { path: `${core}engine\\.ts$` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
