/** Small records for store-level tests: a content's metadata with nothing but its kind. */
import type { ContentMetadata } from '../../src/main/core/store/content-repo.js';

export function bareMetadata(kind: ContentMetadata['kind'] = 'image'): ContentMetadata {
  return {
    kind,
    format: 'jpeg',
    width: 1,
    height: 1,
    orientation: 1,
    takenAt: null,
    cameraMake: null,
    cameraModel: null,
    gpsLat: null,
    gpsLon: null,
  };
}
