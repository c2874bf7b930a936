import { Engine } from './src/main/core/engine.ts';
const engine = Engine.open({ libraryDir: '/tmp/dups/lib', offline: true, modelCacheDir: '/tmp/dups/m' });
const t = performance.now();
const groups = await engine.duplicates();
console.log('duplicates', ((performance.now() - t) / 1000).toFixed(1), 's', groups.length, 'groups');
await engine.close();
