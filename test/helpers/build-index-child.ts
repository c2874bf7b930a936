/**
 * A process that (re)builds a library's vector index and says how far it got, line by line
 * ("progress <done> <total>", then "built"), so a test can kill it -9 in the middle of a build.
 * argv: index dir, library database, model name, dimension, vectors per graph (segmentMin).
 */
import { openDatabase } from '../../src/main/core/store/database.js';
import { VectorRepo } from '../../src/main/core/store/vector-repo.js';
import { VectorIndex } from '../../src/main/core/index/vector-index.js';

const [indexDir, dbFile, model, dim, segmentMin] = process.argv.slice(2);
const vectors = new VectorRepo(openDatabase(dbFile!));
const modelId = vectors.findModel(model!)!.id;
await VectorIndex.open(indexDir!, model!, Number(dim), vectors, modelId, {
  projectFrom: 1000,
  segmentMin: Number(segmentMin),
  threads: 2,
  onBuildProgress: (done, total) => console.log(`progress ${done} ${total}`),
});
console.log('built');
