/**
 * Resume URLs (`ctx.resumeUrl`): a fresh random token per suspension, of which the store keeps
 * only the hash. A URL handed out by a step still running can be called before its wait is
 * committed (the other side answers at once); `pending` lets that call wait for the commit.
 */
import { createHash, randomBytes } from 'node:crypto';

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
    const token = randomBytes(24).toString('base64url');
    const tokenHash = resumeTokenHash(token);
    minted.set(seq, tokenHash);
    const previous = this.live.get(jobId);
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.live.set(jobId, { tokenHash, settled, settle });
    previous?.settle();
    const base = this.publicUrl().replace(/\/+$/, '');
    return `${base}/webhooks/resume/${encodeURIComponent(jobId)}/${token}`;
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
