/**
 * The words read in pictures (media/ocr): per content, its lines with their boxes, and a full-text
 * index over them (FTS5 with trigrams: any part of a word matches, in any script, Chinese included).
 */
import type { Db } from './database.js';

export interface StoredLine {
  text: string;
  confidence: number;
  box: [number, number, number, number];
  /** The moment of a video the line shows at, in seconds; absent for pictures. */
  atS?: number;
}

export interface ContentText {
  lines: StoredLine[];
  width: number;
  height: number;
  truncated: boolean;
  /** Why the words could not be read (the picture is stored as showing none). */
  error?: string;
}

/**
 * Text as it is indexed and asked for: lower case, with punctuation gone ("McDonald's" and
 * "mcdonalds" are one word), spaces single.
 */
export function searchableText(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A ready file of every content. */
const HAS_READY_FILE = `EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id AND f.status = 'ready')`;

export class TextRepo {
  constructor(private readonly db: Db) {}

  set(contentId: number, read: ContentText): void {
    this.db
      .prepare(
        `INSERT INTO content_text (content_id, text, lines, width, height, truncated, error, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (content_id) DO UPDATE SET text = excluded.text, lines = excluded.lines, width = excluded.width,
           height = excluded.height, truncated = excluded.truncated, error = excluded.error, read_at = excluded.read_at`,
      )
      .run(
        contentId,
        searchableText(read.lines.map((l) => l.text).join('\n')),
        JSON.stringify(read.lines),
        read.width,
        read.height,
        read.truncated ? 1 : 0,
        read.error ?? null,
        Date.now(),
      );
  }

  of(contentId: number): ContentText | undefined {
    const row = this.db.prepare('SELECT lines, width, height, truncated, error FROM content_text WHERE content_id = ?').get(contentId) as
      { lines: string; width: number; height: number; truncated: number; error: string | null } | undefined;
    return (
      row && {
        lines: JSON.parse(row.lines) as StoredLine[],
        width: row.width,
        height: row.height,
        truncated: row.truncated === 1,
        ...(row.error ? { error: row.error } : {}),
      }
    );
  }

  /** Pictures and videos not read yet, each with a ready file to read it from, at most `limit`. */
  unread(limit: number): { contentId: number; path: string; kind: 'image' | 'video' }[] {
    return this.db
      .prepare(
        `SELECT c.id AS contentId, c.kind AS kind,
             (SELECT f.path FROM files f WHERE f.content_id = c.id AND f.status = 'ready' ORDER BY f.id LIMIT 1) AS path
           FROM contents c WHERE c.kind IN ('image', 'video') AND ${HAS_READY_FILE}
             AND NOT EXISTS (SELECT 1 FROM content_text t WHERE t.content_id = c.id) LIMIT ?`,
      )
      .all(limit) as { contentId: number; path: string; kind: 'image' | 'video' }[];
  }

  unreadCount(): number {
    return (
      this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM contents c WHERE c.kind IN ('image', 'video') AND ${HAS_READY_FILE}
             AND NOT EXISTS (SELECT 1 FROM content_text t WHERE t.content_id = c.id)`,
        )
        .get() as { n: number }
    ).n;
  }

  /** The words read in a content, as searched (searchableText); '' when none or not read. */
  searchable(contentId: number): string {
    return (
      (this.db.prepare('SELECT text FROM content_text WHERE content_id = ?').get(contentId) as { text: string } | undefined)?.text ?? ''
    );
  }

  /**
   * The moment of a video that shows `terms`: the first where all of them show together, else the
   * first showing any; undefined for a picture.
   */
  momentShowing(contentId: number, asked: string[]): number | undefined {
    const row = this.db
      .prepare(`SELECT t.lines FROM content_text t JOIN contents c ON c.id = t.content_id WHERE t.content_id = ? AND c.kind = 'video'`)
      .get(contentId) as { lines: string } | undefined;
    const lines = row ? (JSON.parse(row.lines) as StoredLine[]).filter((l) => l.atS !== undefined) : [];
    if (lines.length === 0) return undefined;
    const terms = asked.flatMap((t) => searchableText(t).split(' ')).filter(Boolean);
    const byMoment = new Map<number, string>();
    for (const line of lines) byMoment.set(line.atS!, `${byMoment.get(line.atS!) ?? ''} ${searchableText(line.text)}`);
    const moments = [...byMoment.entries()].sort((a, b) => a[0] - b[0]);
    return (
      moments.find(([, text]) => terms.every((t) => text.includes(t)))?.[0] ??
      moments.find(([, text]) => terms.some((t) => text.includes(t)))?.[0] ??
      moments[0]![0]
    );
  }

  /**
   * Contents whose text may show `terms` misread: any of the three-letter pieces of their longer
   * words appears, the contents with the most (and rarest) first, at most `limit`, with their text.
   * The caller decides which truly show them (search/near-spelling).
   */
  sharingPieces(asked: string[], limit: number): { contentId: number; text: string }[] {
    const pieces = new Set<string>();
    for (const term of asked.flatMap((t) => searchableText(t).split(' '))) {
      const chars = [...term];
      for (let i = 0; i + 3 <= chars.length; i += 1) pieces.add(chars.slice(i, i + 3).join(''));
    }
    if (pieces.size === 0) return [];
    const match = [...pieces].map((p) => `"${p.replace(/"/g, '""')}"`).join(' OR ');
    return this.db
      .prepare(
        `SELECT f.rowid AS contentId, t.text AS text FROM content_text_fts f JOIN content_text t ON t.content_id = f.rowid
         WHERE content_text_fts MATCH ? ORDER BY f.rank LIMIT ?`,
      )
      .all(match, limit) as { contentId: number; text: string }[];
  }

  /**
   * Contents whose text holds every one of `terms` (each of 3 characters or more, matched anywhere in
   * a word; shorter ones, such as two-character Chinese words, by substring) and every phrase (its
   * words together, in order; the spaces between them may be lost, as the recogniser often drops
   * them), best first.
   */
  matching(asked: string[], limit: number, phrases: string[] = []): { contentId: number; rank: number }[] {
    const terms = asked.flatMap((t) => searchableText(t).split(' ')).filter(Boolean);
    const long = terms.filter((t) => [...t].length >= 3);
    const short = terms.filter((t) => [...t].length < 3);
    if (long.length === 0 && short.length === 0) return [];
    const together = phrases.map((p) => searchableText(p).replace(/ /g, '')).filter(Boolean);
    const extra = [...short.map(() => `instr(t.text, ?) > 0`), ...together.map(() => `instr(replace(t.text, ' ', ''), ?) > 0`)].join(
      ' AND ',
    );
    if (long.length === 0) {
      return this.db
        .prepare(`SELECT t.content_id AS contentId, 0 AS rank FROM content_text t WHERE ${extra} LIMIT ?`)
        .all(...short, ...together, limit) as { contentId: number; rank: number }[];
    }
    const match = long.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
    return this.db
      .prepare(
        `SELECT f.rowid AS contentId, f.rank AS rank FROM content_text_fts f JOIN content_text t ON t.content_id = f.rowid
         WHERE content_text_fts MATCH ? ${extra ? `AND ${extra}` : ''} ORDER BY f.rank LIMIT ?`,
      )
      .all(match, ...short, ...together, limit) as { contentId: number; rank: number }[];
  }
}
