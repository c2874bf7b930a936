/**
 * The UI's state in one place (Svelte 5 runes): what the library looks like, what indexing is doing,
 * the current query and its results, the selection. Components read it and call its methods; only
 * this module and the pages talk to the API.
 */
import type {
  AppInfo,
  AppStatus,
  DownloadState,
  FileDetails,
  IndexingState,
  MediaKindName,
  SearchFilters,
  SearchHit,
  SavedSearchItem,
  SearchResult,
  Suggestion,
} from '../../../shared/api';
import type { MonthCount } from './timeline';
import { api } from './api';

export type Page = 'search' | 'map' | 'library' | 'duplicates' | 'settings';

/** What the results answer: typed text, an indexed file, an image from outside, or nothing yet. */
export type Query =
  | { kind: 'browse' }
  | { kind: 'text'; text: string }
  | { kind: 'similar'; fileId: number; name: string; atS?: number }
  | { kind: 'image'; name: string; base64: string; previewUrl: string };

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** A button on the notice, such as Undo. */
  action?: { label: string; run: () => void };
}

const PAGE_SIZE = 200;
const TYPING_DELAY_MS = 180;

class AppState {
  page = $state<Page>('search');
  info = $state<AppInfo | null>(null);
  status = $state<AppStatus | null>(null);
  indexing = $state<IndexingState | null>(null);
  download = $state<DownloadState | null>(null);
  notices = $state<Notice[]>([]);

  text = $state('');
  query = $state<Query>({ kind: 'browse' });
  filters = $state<SearchFilters>({});
  hits = $state<SearchHit[]>([]);
  more = $state(false);
  /** Weaker matches were left out (they fall into the background); the person may ask for them. */
  weaker = $state(false);
  /** The person asked for every match of this query, weak ones included. */
  private everything = false;
  via = $state<SearchResult['via']>('none');
  /** The place a map cluster opened (the heading names it while its area filter holds). */
  areaName = $state<string | null>(null);
  /** Searches pinned in the sidebar. */
  saved = $state<SavedSearchItem[]>([]);
  /** What the query language read in the last text search: filter chips, exclusions, hints. */
  parsed = $state<SearchResult['query'] | null>(null);
  loading = $state(false);
  searchError = $state<string | null>(null);

  selected = $state<number | null>(null);
  previewOpen = $state(false);
  /** The full-screen viewer, showing the selected hit. */
  viewerOpen = $state(false);
  details = $state<FileDetails | null>(null);
  /** Items picked for a bulk action (file ids), and where a shift-click range starts (an index). */
  picked = $state<ReadonlySet<number>>(new Set());
  private pickAnchor: number | null = null;

  /** The library's months (browsing): the scrubber's years and months. */
  months = $state<MonthCount[]>([]);
  /** The month at the top of the grid while browsing ("2024-07"): the scrubber marks it. */
  visibleMonth = $state<string | null>(null);
  /** An item the grid should scroll to (the scrubber's jumps), once it is loaded. */
  scrollTarget = $state<number | null>(null);
  /** Tag words of the library matching what is typed, for the search box's suggestions. */
  suggestions = $state<Suggestion[]>([]);
  /** When a text search finds nothing: the library's most common words, to say what exists. */
  existing = $state<Suggestion[]>([]);

  private sequence = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private noticeId = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshDue = 0;

  /** Whether Trove answers this page ('restarted': it runs again, with a new token this page lacks). */
  connection = $state<'up' | 'lost' | 'restarted'>('up');

  get firstRun(): boolean {
    return this.status !== null && this.status.folders.length === 0;
  }

  get selectedHit(): SearchHit | null {
    return this.selected === null ? null : (this.hits[this.selected] ?? null);
  }

  async start(): Promise<void> {
    api.subscribe((event) => {
      switch (event.type) {
        case 'indexing':
          this.indexing = event.state;
          // The Library table follows the bar: both count the same files (see LibraryQueries). While
          // files are being indexed every 2 s is enough (the counts read every file's row).
          this.scheduleStatus(event.state.phase === 'indexing' ? 2000 : 300);
          break;
        case 'library-changed':
          this.scheduleStatus();
          // New photos show up while you look, unless you are paging through a long result list.
          if (this.hits.length <= PAGE_SIZE) void this.run({ quiet: true });
          break;
        case 'model-download':
          this.download = event.state.done && !event.state.error ? null : event.state;
          // Said where the model is offered (ModelStatus) for as long as it matters; the notice only tells of it.
          if (event.state.error) this.notify('warning', `Model download failed: ${event.state.error}`);
          if (event.state.done) this.scheduleStatus();
          break;
        case 'notice':
          this.notify(event.level, event.message);
          break;
        case 'connection':
          this.connection = event.state === 'back' ? 'up' : event.state;
          // Back after a drop: what was shown may be out of date.
          if (event.state === 'back')
            void this.refreshStatus().then(
              () => this.run({ quiet: true }),
              () => {},
            );
          break;
      }
    });
    try {
      this.info = await api.call('info', {});
      await this.refreshStatus();
      void this.loadSaved();
      await this.run();
    } catch (error) {
      this.notify('error', message(error));
    }
  }

  notify(level: Notice['level'], text: string, action?: Notice['action']): void {
    const id = (this.noticeId += 1);
    this.notices = [...this.notices.slice(-3), { id, level, message: text, ...(action ? { action } : {}) }];
    // Notices with an action (Undo) stay longer: there is something to decide.
    if (level !== 'error') setTimeout(() => this.dismiss(id), action ? 20_000 : 6000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  async refreshStatus(): Promise<void> {
    const status = await api.call('status', {});
    this.status = status;
    this.indexing ??= status.indexing;
    if (status.model.download) this.download = status.model.download;
  }

  /**
   * One status read within `delayMs`, however many events ask for one: a pending read is never
   * postponed, only brought forward when an event needs it sooner.
   */
  private scheduleStatus(delayMs = 300): void {
    const due = Date.now() + delayMs;
    if (this.refreshTimer !== undefined && this.refreshDue <= due) return;
    clearTimeout(this.refreshTimer);
    this.refreshDue = due;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refreshStatus().catch(() => {});
    }, delayMs);
  }

  /* ------------------------------- searching ------------------------------- */

  /** Typing: search after a short pause; an empty box goes back to browsing the library. */
  typed(text: string): void {
    this.text = text;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => {
      this.submit();
      void this.suggest(text);
    }, TYPING_DELAY_MS);
  }

  /** Words of the library that complete what is typed (the empty text: the most common ones). */
  async suggest(text: string): Promise<void> {
    try {
      const { words } = await api.call('suggest', { prefix: text.slice(0, 200), limit: 8 });
      if (text === this.text) this.suggestions = words;
    } catch {
      this.suggestions = [];
    }
  }

  private async loadSaved(): Promise<void> {
    try {
      this.saved = (await api.call('savedSearches', {})).searches;
    } catch (error) {
      this.notify('error', message(error));
    }
  }

  /** Pins the text search shown (with the page's filters) in the sidebar. */
  async pinSearch(): Promise<void> {
    if (this.query.kind !== 'text') return;
    try {
      await api.call('saveSearch', { text: this.query.text, filters: $state.snapshot(this.filters) });
      await this.loadSaved();
    } catch (error) {
      this.notify('error', message(error));
    }
  }

  async forgetSaved(id: number): Promise<void> {
    try {
      await api.call('forgetSavedSearch', { id });
      this.saved = this.saved.filter((s) => s.id !== id);
    } catch (error) {
      this.notify('error', message(error));
    }
  }

  /** Opens a map cluster's photos as a result grid: the library within its box, newest first. */
  openArea(cluster: { area: NonNullable<SearchFilters['area']>; name: string | null }): void {
    this.page = 'search';
    this.text = '';
    this.areaName = cluster.name;
    this.filters = { ...this.filters, area: cluster.area };
    this.query = { kind: 'browse' };
    void this.run();
  }

  /** Runs a pinned search again: it answers from the library as it is now. */
  openSaved(search: SavedSearchItem): void {
    this.page = 'search';
    this.filters = { ...search.filters };
    this.text = search.text;
    this.submit();
  }

  /** Whether the search shown is pinned already. */
  isPinned(): boolean {
    const q = this.query;
    return (
      q.kind === 'text' &&
      this.saved.some((s) => s.text === q.text && JSON.stringify(s.filters) === JSON.stringify($state.snapshot(this.filters)))
    );
  }

  /** Takes a typed filter or exclusion (`type:video`, `-sky`) out of the query: its chip's ×. */
  removeFromQuery(token: string): void {
    const at = this.text.indexOf(token);
    if (at < 0) return;
    this.text = `${this.text.slice(0, at)} ${this.text.slice(at + token.length)}`.replace(/\s+/g, ' ').trim();
    this.submit();
  }

  /** Searches for a word (a suggestion picked, a word of the library shown). */
  searchFor(text: string): void {
    this.text = text;
    this.submit();
  }

  private async loadExisting(sequence: number): Promise<void> {
    try {
      const { words } = await api.call('suggest', { prefix: '', limit: 12 });
      if (sequence === this.sequence) this.existing = words;
    } catch {
      this.existing = [];
    }
  }

  /** Searches for what is in the box now (Enter, or the pause after typing). */
  submit(): void {
    clearTimeout(this.typingTimer);
    const trimmed = this.text.trim();
    this.query = trimmed ? { kind: 'text', text: trimmed } : { kind: 'browse' };
    void this.run();
  }

  /** Items like a hit; for a video, like the moment it was found at (or is paused at). */
  findSimilar(hit: { fileId: number; name: string }, atS?: number): void {
    this.page = 'search';
    this.text = '';
    this.query = { kind: 'similar', fileId: hit.fileId, name: hit.name, ...(atS !== undefined ? { atS } : {}) };
    this.previewOpen = false;
    void this.run();
  }

  async searchByImage(file: File): Promise<void> {
    if (!file.type.startsWith('image/') && !/\.(jpe?g|png|webp|gif|avif|tiff?|heic|heif)$/i.test(file.name)) {
      this.notify('warning', `${file.name} is not an image Trove can search with`);
      return;
    }
    if (file.size > 32 * 1024 * 1024) {
      this.notify('warning', `${file.name} is larger than 32 MB`);
      return;
    }
    const base64 = await toBase64(file);
    if (this.query.kind === 'image') URL.revokeObjectURL(this.query.previewUrl);
    this.page = 'search';
    this.text = '';
    this.query = { kind: 'image', name: file.name, base64, previewUrl: URL.createObjectURL(file) };
    void this.run();
  }

  clearQuery(): void {
    if (this.query.kind === 'image') URL.revokeObjectURL(this.query.previewUrl);
    this.text = '';
    this.query = { kind: 'browse' };
    void this.run();
  }

  setKinds(kinds: MediaKindName[] | undefined): void {
    this.filters = { ...this.filters, kinds };
    void this.run();
  }

  setFilter(patch: Partial<SearchFilters>): void {
    const next: SearchFilters = { ...this.filters, ...patch };
    for (const key of Object.keys(next) as (keyof SearchFilters)[]) if (next[key] === undefined) delete next[key];
    this.filters = next;
    void this.run();
  }

  /** Runs the current query from the top (quiet: keep what is shown until the answer arrives). */
  async run(options: { quiet?: boolean } = {}): Promise<void> {
    const sequence = (this.sequence += 1);
    if (!options.quiet) {
      this.everything = false;
      this.loading = true;
      this.clearPicks();
    }
    if (this.query.kind === 'browse') void this.loadMonths(sequence);
    try {
      // A quiet refresh reloads what is already shown, so the scroll position stays meaningful.
      const limit = options.quiet ? Math.max(PAGE_SIZE, this.hits.length) : PAGE_SIZE;
      const result = await this.fetchPage(0, limit);
      if (sequence !== this.sequence) return;
      const kept = options.quiet ? this.selectedHit?.fileId : undefined;
      this.hits = result.hits;
      this.more = result.more;
      this.weaker = Boolean(result.weaker);
      this.via = result.via;
      this.parsed = result.query ?? null;
      this.searchError = null;
      if (result.hits.length === 0 && this.query.kind === 'text') void this.loadExisting(sequence);
      const index = kept === undefined ? -1 : this.hits.findIndex((h) => h.fileId === kept);
      this.selected = index >= 0 ? index : null;
      if (index < 0) this.previewOpen = false;
    } catch (error) {
      if (sequence !== this.sequence) return;
      this.searchError = message(error);
      if (!options.quiet) this.hits = [];
    } finally {
      if (sequence === this.sequence) this.loading = false;
    }
  }

  private async loadMonths(sequence: number): Promise<void> {
    try {
      const { months } = await api.call('timeline', { filters: $state.snapshot(this.filters) });
      if (sequence === this.sequence) this.months = months;
    } catch {
      this.months = [];
    }
  }

  /** Loads the list up to the item at `index` (a scrubber jump far down), then has the grid show it. */
  async reveal(index: number): Promise<void> {
    const sequence = this.sequence;
    while (this.hits.length <= index && this.more && sequence === this.sequence) {
      const result = await this.fetchPage(this.hits.length, Math.min(5000, index - this.hits.length + PAGE_SIZE));
      if (sequence !== this.sequence) return;
      this.hits = [...this.hits, ...result.hits];
      this.more = result.more;
    }
    this.scrollTarget = Math.min(index, this.hits.length - 1);
  }

  /** The next page, when the grid nears its end. */
  async loadMore(): Promise<void> {
    if (!this.more || this.loading) return;
    const sequence = this.sequence;
    this.loading = true;
    try {
      const result = await this.fetchPage(this.hits.length, PAGE_SIZE);
      if (sequence !== this.sequence) return;
      this.hits = [...this.hits, ...result.hits];
      this.more = result.more;
      this.weaker = Boolean(result.weaker);
    } catch (error) {
      this.notify('error', message(error));
    } finally {
      this.loading = false;
    }
  }

  /** The weaker matches left out of this query: loaded after the ones shown. */
  async showWeaker(): Promise<void> {
    this.everything = true;
    this.more = true;
    this.weaker = false;
    await this.loadMore();
  }

  private fetchPage(offset: number, limit: number): Promise<SearchResult> {
    const filters = $state.snapshot(this.filters);
    const q = this.query;
    const everything = this.everything;
    switch (q.kind) {
      case 'text':
        return api.call('searchText', { text: q.text, filters, limit, offset, everything });
      case 'similar':
        return api.call('similarTo', {
          fileId: q.fileId,
          ...(q.atS !== undefined ? { atS: q.atS } : {}),
          filters,
          limit,
          offset,
          everything,
        });
      case 'image':
        return api.call('searchImage', { name: q.name, imageBase64: q.base64, filters, limit, offset, everything });
      case 'browse':
        return api.call('browse', { filters, limit, offset });
    }
  }

  /* -------------------------------- selection -------------------------------- */

  select(index: number | null): void {
    this.selected = index === null ? null : Math.max(0, Math.min(this.hits.length - 1, index));
    if (this.previewOpen) void this.loadDetails();
  }

  open(index: number): void {
    this.select(index);
    this.previewOpen = true;
    void this.loadDetails();
  }

  closePreview(): void {
    this.previewOpen = false;
  }

  openViewer(index: number): void {
    this.open(index);
    this.viewerOpen = true;
  }

  closeViewer(): void {
    this.viewerOpen = false;
  }

  /* ------------------------------ picking many ------------------------------ */

  /** Ctrl/Cmd-click or Space: one item in or out; shift-click: everything from the last pick to here. */
  pick(index: number, mode: 'toggle' | 'range'): void {
    const hit = this.hits[index];
    if (!hit) return;
    const next = new Set(this.picked);
    if (mode === 'range' && this.pickAnchor !== null) {
      const [from, to] = this.pickAnchor < index ? [this.pickAnchor, index] : [index, this.pickAnchor];
      for (let i = from; i <= to; i += 1) next.add(this.hits[i]!.fileId);
    } else {
      if (next.has(hit.fileId)) next.delete(hit.fileId);
      else next.add(hit.fileId);
      this.pickAnchor = index;
    }
    this.picked = next;
  }

  pickAll(): void {
    this.picked = new Set(this.hits.map((h) => h.fileId));
  }

  clearPicks(): void {
    this.picked = new Set();
    this.pickAnchor = null;
  }

  /** The picked hits, in list order. */
  pickedHits(): SearchHit[] {
    return this.hits.filter((h) => this.picked.has(h.fileId));
  }

  private async loadDetails(): Promise<void> {
    const hit = this.selectedHit;
    if (!hit) return;
    try {
      const details = await api.call('fileDetails', { fileId: hit.fileId });
      if (this.selectedHit?.fileId === details.fileId) this.details = details;
    } catch (error) {
      this.notify('error', message(error));
    }
  }

  /* --------------------------------- indexing --------------------------------- */

  async togglePause(): Promise<void> {
    try {
      this.indexing = this.indexing?.paused ? await api.call('resume', {}) : await api.call('pause', {});
    } catch (error) {
      this.notify('error', message(error));
    }
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

export const app = new AppState();
