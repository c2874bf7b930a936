/** Library settings (offline mode, threads, exclude patterns, active model), validated on read. */
import { z } from 'zod';
import type { Db } from './database.js';

/** A new library indexes pictures with CLIP and sound with CLAP (models/registry.ts describes them). */
export const DEFAULT_IMAGE_MODEL = 'clip-vit-base-patch32';
export const DEFAULT_AUDIO_MODEL = 'clap-htsat-unfused';

export const SettingsSchema = z.object({
  imageModel: z.string().min(1).default(DEFAULT_IMAGE_MODEL),
  /** The model for recordings: CLAP unless chosen otherwise; null turns audio indexing off. */
  audioModel: z.string().min(1).nullable().default(DEFAULT_AUDIO_MODEL),
  offline: z.boolean().default(false),
  threads: z.number().int().min(1).max(256).optional(),
  excludePatterns: z.array(z.string()).default([]),
  includeHidden: z.boolean().default(false),
  /** Read the words in pictures (OCR) so they can be searched: costs indexing time, on by default. */
  readText: z.boolean().default(true),
});
export type Settings = z.infer<typeof SettingsSchema>;

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  get(): Settings {
    const raw: Record<string, unknown> = {};
    for (const row of this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]) {
      try {
        raw[row.key] = JSON.parse(row.value);
      } catch {
        // A hand-edited, unparsable value falls back to its default rather than breaking the library.
      }
    }
    const parsed = SettingsSchema.safeParse(raw);
    return parsed.success ? parsed.data : SettingsSchema.parse({});
  }

  update(patch: Partial<Settings>): Settings {
    const next = SettingsSchema.parse({ ...this.get(), ...patch });
    const put = this.db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)');
    const drop = this.db.prepare('DELETE FROM settings WHERE key = ?');
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(next)) if (value !== undefined) put.run(key, JSON.stringify(value));
      // A setting cleared (audio model: none) goes back to its default.
      for (const key of Object.keys(patch)) if (next[key as keyof Settings] === undefined) drop.run(key);
    })();
    return next;
  }
}
