/**
 * The engine's time: epoch ms from `now`, and the same instant as ISO text. Jobs ask for the
 * text several times per step, mostly within one millisecond, so the last one is kept.
 */
export class Clock {
  private lastMs = Number.NaN;
  private lastIso = '';

  constructor(readonly now: () => number = Date.now) {}

  iso(): string {
    const ms = this.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }
}
