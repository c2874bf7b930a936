/**
 * Versioned schema migrations. Each entry runs once, in order, inside a transaction; the version
 * reached is kept in SQLite's `user_version`. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: the first schema */ `
  CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at INTEGER NOT NULL
  );

  -- One row per distinct file content (by SHA-256). Metadata and embeddings hang off the content, so
  -- a moved, renamed or copied file keeps them without being decoded or embedded again.
  CREATE TABLE contents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    kind TEXT NOT NULL,
    format TEXT,
    width INTEGER,                 -- as displayed, after EXIF orientation
    height INTEGER,
    orientation INTEGER,           -- EXIF orientation (1 = upright)
    taken_at INTEGER,
    camera_make TEXT,
    camera_model TEXT,
    gps_lat REAL,
    gps_lon REAL
  );

  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    ext TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    content_id INTEGER REFERENCES contents(id),
    status TEXT NOT NULL,          -- pending | ready | error | missing
    error TEXT,                    -- why, for a person, when status = error
    missing_since INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX files_content ON files(content_id);
  CREATE INDEX files_status ON files(status);
  CREATE INDEX files_folder ON files(folder_id);
  CREATE INDEX files_size ON files(size);

  -- Problems met while scanning that are not about one media file (unreadable folders, link loops).
  CREATE TABLE scan_issues (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    error TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    UNIQUE (folder_id, path)
  );

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    dim INTEGER NOT NULL
  );

  -- AUTOINCREMENT: a vector id is also its HNSW label and must never be reused after a delete.
  CREATE TABLE vectors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    model_id INTEGER NOT NULL REFERENCES models(id),
    offset_s REAL,                 -- moment inside a video or audio file, null for photos
    vector BLOB NOT NULL
  );
  CREATE INDEX vectors_content_model ON vectors(content_id, model_id);
  CREATE INDEX vectors_model ON vectors(model_id);

  -- Which contents a model has processed (succeeded or failed), so work is never done twice.
  CREATE TABLE embeddings (
    content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    model_id INTEGER NOT NULL REFERENCES models(id),
    status TEXT NOT NULL,          -- done | error
    error TEXT,
    embedded_at INTEGER NOT NULL,
    PRIMARY KEY (content_id, model_id)
  );

  CREATE TABLE tags (
    content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    model_id INTEGER NOT NULL REFERENCES models(id),
    label TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (content_id, model_id, label)
  );
  CREATE INDEX tags_label ON tags(model_id, label);

  -- The persistent work queue. 'ingest' reads and hashes a file; 'embed' runs a model on a content.
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_id INTEGER REFERENCES files(id) ON DELETE CASCADE,
    content_id INTEGER REFERENCES contents(id) ON DELETE CASCADE,
    model TEXT,
    state TEXT NOT NULL DEFAULT 'queued',   -- queued | running
    priority INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX jobs_ingest ON jobs(file_id) WHERE kind = 'ingest';
  CREATE UNIQUE INDEX jobs_embed ON jobs(content_id, model) WHERE kind = 'embed';
  CREATE INDEX jobs_pick ON jobs(kind, state, priority DESC, id);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  /* 2: visual fingerprints for near-duplicate photos (filled as photos are embedded, or on demand) */ `
  ALTER TABLE contents ADD COLUMN phash TEXT;    -- 64-bit DCT perceptual hash, hex
  ALTER TABLE contents ADD COLUMN grid BLOB;     -- 32x32 grey levels inside trimmed borders
  ALTER TABLE contents ADD COLUMN detail REAL;   -- standard deviation of the grid (flat pictures: low)
  `,
  /* 3: files Trove moved to the system trash, so the move can be undone */ `
  CREATE TABLE trash_log (
    id INTEGER PRIMARY KEY,
    batch TEXT NOT NULL,
    original_path TEXT NOT NULL,
    trashed_path TEXT NOT NULL,
    info_path TEXT,
    trashed_at INTEGER NOT NULL,
    restored_at INTEGER
  );
  CREATE INDEX trash_log_batch ON trash_log(batch);
  `,
  /* 4: audio */ `
  ALTER TABLE contents ADD COLUMN duration_s REAL;
  `,
  /* 5: acoustic fingerprints for duplicate recordings (media/audio-fingerprint.ts); videos */ `
  ALTER TABLE contents ADD COLUMN audio_fp BLOB;
  ALTER TABLE contents ADD COLUMN has_audio INTEGER; -- videos: 1 when there is a sound track to index
  ALTER TABLE contents ADD COLUMN video_fp BLOB;     -- videos: perceptual hashes of frames, one a second
  `,
  /* 6: which file on disk was read ("device:inode"), so media is served only while it is still that file */ `
  ALTER TABLE files ADD COLUMN identity TEXT;
  `,
  /* 7: requests one Trove process hands to the one that holds the library (store/request-repo.ts) */ `
  CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,          -- 'rescan'
    asked_at INTEGER NOT NULL,
    done_at INTEGER
  );
  `,
  /*
   * 8: typed embedding jobs with the model's id ('embed-image', 'embed-video', 'embed-sound'), instead
   * of a model name with a "#video" suffix. Embedding jobs are derived work (each run queues what its
   * models have not processed yet), so the old ones are simply dropped; ingest jobs are kept.
   */ `
  DELETE FROM jobs WHERE kind <> 'ingest';
  DROP INDEX jobs_embed;
  ALTER TABLE jobs DROP COLUMN model;
  ALTER TABLE jobs ADD COLUMN model_id INTEGER REFERENCES models(id) ON DELETE CASCADE;
  CREATE UNIQUE INDEX jobs_embed ON jobs(kind, content_id, model_id) WHERE kind <> 'ingest';
  `,
  /* 9: a file's problem keeps its stable code (util/file-errors.ts) beside its sentence */ `
  ALTER TABLE files ADD COLUMN error_code TEXT;
  `,
  /* 10: the person's decisions in the duplicates review, kept across reloads and runs */ `
  CREATE TABLE review_marks (
    file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    trash INTEGER NOT NULL,      -- 1: marked to go to the trash, 0: kept
    set_at INTEGER NOT NULL
  );
  CREATE TABLE not_duplicates (
    id INTEGER PRIMARY KEY,
    contents TEXT NOT NULL UNIQUE, -- the group's content ids, sorted, comma-separated
    set_at INTEGER NOT NULL
  );
  `,
  /* 11: pictures' fingerprints are made again, frame-aware (media/visual-fingerprint.ts), when duplicates are next looked for */ `
  UPDATE contents SET phash = NULL, grid = NULL, detail = NULL WHERE kind = 'image';
  `,
  /* 12: short videos are fingerprinted four times a second (media/video-fingerprint.ts): made again when duplicates are next looked for */ `
  UPDATE contents SET video_fp = NULL WHERE kind = 'video' AND duration_s IS NOT NULL AND duration_s < 4;
  `,
  /* 13: the words read in pictures (media/ocr), searchable by any part of a word (FTS5 trigrams) */ `
  CREATE TABLE content_text (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    text TEXT NOT NULL,            -- the lines read, as searched (text-repo's searchableText); '' when none
    lines TEXT NOT NULL,           -- JSON: [{ text, confidence, box: [left, top, width, height] }]
    width INTEGER NOT NULL,        -- the picture size the boxes refer to
    height INTEGER NOT NULL,
    truncated INTEGER NOT NULL,    -- 1: more text boxes than were read
    read_at INTEGER NOT NULL
  );
  CREATE VIRTUAL TABLE content_text_fts USING fts5(text, content = 'content_text', content_rowid = 'content_id', tokenize = 'trigram');
  CREATE TRIGGER content_text_ai AFTER INSERT ON content_text BEGIN
    INSERT INTO content_text_fts (rowid, text) VALUES (new.content_id, new.text);
  END;
  CREATE TRIGGER content_text_ad AFTER DELETE ON content_text BEGIN
    INSERT INTO content_text_fts (content_text_fts, rowid, text) VALUES ('delete', old.content_id, old.text);
  END;
  CREATE TRIGGER content_text_au AFTER UPDATE ON content_text BEGIN
    INSERT INTO content_text_fts (content_text_fts, rowid, text) VALUES ('delete', old.content_id, old.text);
    INSERT INTO content_text_fts (rowid, text) VALUES (new.content_id, new.text);
  END;
  `,
  /* 14: why a picture's words could not be read (said in its details instead of an empty silence) */ `
  ALTER TABLE content_text ADD COLUMN error TEXT;
  `,
  /* 15: a RAW file is found beside its developed picture by folder and name without extension (store/companions) */ `
  CREATE INDEX files_stem ON files(folder_id, substr(path, 1, length(path) - length(ext)));
  `,
  /* 16: searches a person pinned (store/saved-search-repo) */ `
  CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,            -- the query as typed
    filters TEXT NOT NULL,         -- JSON: the search page's filters
    saved_at INTEGER NOT NULL
  );
  `,
  /* 17: where each photo was taken, in words (media/gazetteer, store/place-repo) */ `
  CREATE TABLE content_place (
    content_id INTEGER PRIMARY KEY REFERENCES contents(id) ON DELETE CASCADE,
    town TEXT, city TEXT, country TEXT, country_code TEXT,
    names TEXT NOT NULL            -- '|paris|france|fr|': every name it answers to, lower case; '' when nowhere
  );
  `,
  /* 18: a place's region (state, province, prefecture); places named before it are named again */ `
  ALTER TABLE content_place ADD COLUMN region TEXT;
  DELETE FROM content_place;
  `,
  /* 19: Apple's Live Photo content identifier, pairing a still and its motion whatever their names (store/companions) */ `
  ALTER TABLE contents ADD COLUMN live_id TEXT;  -- the identifier; '' when it has none; NULL: not looked for (read before 19)
  CREATE INDEX contents_live_id ON contents(live_id);
  `,
  /* 20: which digest identifies a content: BLAKE3 in a new library, SHA-256 kept where contents were already identified with it (util/content-hash) */ `
  CREATE TABLE library_facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO library_facts (key, value)
    SELECT 'content_hash', CASE WHEN EXISTS (SELECT 1 FROM contents) THEN 'sha256' ELSE 'blake3' END;
  ALTER TABLE contents RENAME COLUMN sha256 TO hash;
  `,
  /*
   * 21: a content's files in a status in one seek. With an index on status alone, SQLite (no statistics)
   * looked for "this content's ready file" by walking every ready file, for each content: a
   * million-photo library never finished its duplicates review or its words-in-pictures count.
   * The jobs of a file or a content, for the cascades that delete them with it (the jobs' partial
   * indexes do not serve them): each deleted file or content read the whole queue, a million jobs
   * while a large folder is first read. And the recordings and videos, so the passes that look for
   * them do not read every photo's row (partial: a query opts in by saying `kind IN ('audio',
   * 'video')`; photos' queries keep their plans).
   */ `
  DROP INDEX files_status;
  CREATE INDEX files_status_content ON files(status, content_id);
  CREATE INDEX jobs_file ON jobs(file_id);
  CREATE INDEX jobs_content ON jobs(content_id);
  CREATE INDEX contents_tracks ON contents(kind) WHERE kind IN ('audio', 'video');
  `,
];
