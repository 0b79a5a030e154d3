/**
 * The server's metrics, in the Prometheus text format at `GET /metrics` (`prom-client`, one
 * registry per server): the queue's depth, jobs finished and how long they took, webhook
 * requests and their latency, failed polls, token refreshes, and Node's process metrics.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueStats } from './jobs/queue.js';

/** Seconds, from a quick webhook answer to a long job. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export class Metrics {
  readonly registry = new Registry();
  private readonly jobsFinished: Counter<'status'>;
  private readonly jobSeconds: Histogram;
  private readonly webhookRequests: Counter<'outcome'>;
  private readonly webhookSeconds: Histogram;
  private readonly pollErrors: Counter;
  private readonly refreshes: Counter;
  private queueStats: () => QueueStats = () => ({ ready: 0, delayed: 0, running: 0 });

  constructor() {
    const registers = [this.registry];
    const stats = () => this.queueStats();
    new Gauge({
      name: 'weft_queue_jobs',
      help: 'Jobs in the queue: ready to run, delayed (retries, waits), running',
      labelNames: ['state'],
      registers,
      collect() {
        const s = stats();
        this.set({ state: 'ready' }, s.ready);
        this.set({ state: 'delayed' }, s.delayed);
        this.set({ state: 'running' }, s.running);
      },
    });
    this.jobsFinished = new Counter({
      name: 'weft_jobs_finished_total',
      help: 'Jobs that reached an end, by status',
      labelNames: ['status'],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'weft_job_duration_seconds',
      help: 'From a job’s creation to its end',
      buckets: JOB_BUCKETS,
      registers,
    });
    this.webhookRequests = new Counter({
      name: 'weft_webhook_requests_total',
      help: 'Webhook requests to recipes and static webhooks: accepted (2xx) or refused',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookSeconds = new Histogram({
      name: 'weft_webhook_latency_seconds',
      help: 'Time to answer a webhook request (its events committed first)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.pollErrors = new Counter({ name: 'weft_poll_errors_total', help: 'Polls that failed', registers });
    this.refreshes = new Counter({
      name: 'weft_token_refreshes_total',
      help: 'Connection values refreshed (OAuth2 refreshes, re-acquired sessions) and stored',
      registers,
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Where the queue's depth is read (the job system, once it exists). */
  watchQueue(stats: () => QueueStats): void {
    this.queueStats = stats;
  }

  jobFinished(status: string, seconds: number): void {
    this.jobsFinished.inc({ status });
    if (Number.isFinite(seconds) && seconds >= 0) this.jobSeconds.observe(seconds);
  }

  webhookAnswered(status: number, seconds: number): void {
    this.webhookRequests.inc({ outcome: status >= 200 && status < 300 ? 'accepted' : 'refused' });
    this.webhookSeconds.observe(seconds);
  }

  pollFailed(): void {
    this.pollErrors.inc();
  }

  connectionRefreshed(): void {
    this.refreshes.inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
