/**
 * Seen-signature stores for trigger deduplication (SPEC §6: an event whose `dedup` signature
 * was seen before for this recipe creates no job). Batch-oriented and async so that database
 * stores (SQLite, PostgreSQL, in the runtime) answer a whole poll in one query.
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface SeenStore {
  /** For each signature, whether it was recorded before (in `scope`, e.g. one recipe). */
  has(signatures: readonly string[], scope?: string): Promise<boolean[]>;
  /** Records signatures as seen (recording one twice is harmless). */
  add(signatures: readonly string[], scope?: string): Promise<void>;
}

/** One key per (scope, signature); a NUL cannot appear in a scope name we hand out. */
function keyOf(signature: string, scope: string | undefined): string {
  return scope === undefined ? signature : `${scope}\u0000${signature}`;
}

/** Signatures in a `Set`: for tests, `weft exec --follow` and `weft listen`. */
export class MemorySeenStore implements SeenStore {
  protected readonly seen = new Set<string>();

  get size(): number {
    return this.seen.size;
  }

  async has(signatures: readonly string[], scope?: string): Promise<boolean[]> {
    return this.hasSync(signatures, scope);
  }

  async add(signatures: readonly string[], scope?: string): Promise<void> {
    this.addSync(signatures, scope);
  }

  /** The same as `has`, without a promise (for callers that hold the store in memory). */
  hasSync(signatures: readonly string[], scope?: string): boolean[] {
    const seen = this.seen;
    const out = new Array<boolean>(signatures.length);
    if (scope === undefined) for (let i = 0; i < signatures.length; i++) out[i] = seen.has(signatures[i]);
    else for (let i = 0; i < signatures.length; i++) out[i] = seen.has(keyOf(signatures[i], scope));
    return out;
  }

  addSync(signatures: readonly string[], scope?: string): string[] {
    const added: string[] = [];
    for (const signature of signatures) {
      const key = keyOf(signature, scope);
      if (!this.seen.has(key)) {
        this.seen.add(key);
        added.push(key);
      }
    }
    return added;
  }
}

/**
 * Signatures in an append-only file, one JSON string per line, read into a `Set` on open. A
 * line cut short by a crash is skipped. `compact()` rewrites the file without duplicates
 * (atomically: a temporary file renamed over it).
 */
export class FileSeenStore extends MemorySeenStore {
  private writing: Promise<void> = Promise.resolve();
  /** The file ends in a cut-off line: the next append starts on a new line. */
  private needsNewline = false;

  private constructor(readonly file: string) {
    super();
  }

  /** Opens (or, on the first `add`, creates) the store in `file`. */
  static async open(file: string): Promise<FileSeenStore> {
    const store = new FileSeenStore(file);
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.needsNewline = text.length > 0 && !text.endsWith('\n');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end).trim();
      start = end + 1;
      if (!line) continue;
      try {
        const key = JSON.parse(line);
        if (typeof key === 'string') this.seen.add(key);
      } catch {
        // A partial last line from an interrupted write: that signature was never confirmed.
      }
    }
  }

  override async add(signatures: readonly string[], scope?: string): Promise<void> {
    const added = this.addSync(signatures, scope);
    if (!added.length) return this.writing;
    const text = `${this.needsNewline ? '\n' : ''}${added.map((k) => JSON.stringify(k)).join('\n')}\n`;
    this.needsNewline = false;
    // Appends are chained so that lines of concurrent batches never interleave.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, text, 'utf8');
    });
    return this.writing;
  }

  /** Rewrites the file with each signature once. */
  async compact(): Promise<void> {
    await this.writing;
    const tmp = `${this.file}.${process.pid}.tmp`;
    const lines = [...this.seen].map((k) => JSON.stringify(k));
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(tmp, lines.length ? `${lines.join('\n')}\n` : '', 'utf8');
    await rename(tmp, this.file);
    this.needsNewline = false;
  }
}
