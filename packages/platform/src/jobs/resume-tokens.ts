/**
 * Resume URLs (`ctx.resumeUrl`): a fresh random token per suspension, of which the store keeps
 * only the hash. A URL handed out by a step still running can be called before its wait is
 * committed (the other side answers at once); `pending` lets that call wait for the commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PreparedResumeUrl } from '../connector-runtime.js';

/** Hashes the token of a resume URL the way the store keeps it. */
export function resumeTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface LiveWait {
  tokenHash: string;
  settled: Promise<void>;
  settle: () => void;
}

export class ResumeTokens {
  /** By job id: the last URL a running step of that job handed out. */
  private readonly live = new Map<string, LiveWait>();

  constructor(private readonly publicUrl: () => string) {}

  /** A URL for the step `seq` of the job; its token's hash is kept in `minted`. */
  mint(jobId: string, seq: number, minted: Map<number, string>): string {
    return this.prepare(jobId, seq, minted)();
  }

  /**
   * `ctx.resumeUrl` of a step, minted on first use: calling it registers the token (once) and
   * returns the URL; `url` tells the URL ahead (for a connector host, which reads it without
   * calling back) and the host's "read" message then calls the function.
   */
  prepare(jobId: string, seq: number, minted: Map<number, string>): PreparedResumeUrl {
    let token: string | undefined;
    let url: string | undefined;
    const urlOf = () => {
      token ??= randomBytes(24).toString('base64url');
      url ??= `${this.publicUrl().replace(/\/+$/, '')}/webhooks/resume/${encodeURIComponent(jobId)}/${token}`;
      return url;
    };
    let registered = false;
    const use = () => {
      const at = urlOf();
      if (!registered) {
        registered = true;
        this.register(jobId, seq, resumeTokenHash(token!), minted);
      }
      return at;
    };
    return Object.defineProperty(use, 'url', { get: urlOf, enumerable: true }) as PreparedResumeUrl;
  }

  private register(jobId: string, seq: number, tokenHash: string, minted: Map<number, string>): void {
    minted.set(seq, tokenHash);
    const previous = this.live.get(jobId);
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.live.set(jobId, { tokenHash, settled, settle });
    previous?.settle();
  }

  /** Resolves once the run that handed out this URL has written its outcome; undefined if none runs. */
  pending(jobId: string, tokenHash: string): Promise<void> | undefined {
    const live = this.live.get(jobId);
    return live && live.tokenHash === tokenHash ? live.settled : undefined;
  }

  /** The job's run has written its outcome. */
  settle(jobId: string): void {
    const live = this.live.get(jobId);
    if (live) {
      this.live.delete(jobId);
      live.settle();
    }
  }
}
