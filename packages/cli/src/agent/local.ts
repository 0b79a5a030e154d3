/**
 * `weft exec --agent agent.yaml`: an agent performing in this process, so a connector author
 * sees what a real `weft agent` with that file would do to the connector's HTTP — the target
 * list (`AGENT_HOST_NOT_ALLOWED`), the per-target CA and client certificate, `timeoutSeconds` —
 * before deploying. The same performer as `weft agent` (perform.ts) answers each request; only
 * the WebSocket between the two ends is left out: the tunnel's flow control (credit both ways)
 * joins them directly, and the platform's `AgentDispatcher` puts them under the SDK's pipeline.
 */
import { basename } from 'node:path';
import {
  AgentDispatcher,
  type AgentRequest,
  type AgentResponse,
  agentStreamError,
  type ControlFrame,
  CreditReceiver,
  CreditSender,
} from '@weft/platform/agents';
import { type AgentConfig, loadAgentConfig } from './config.js';
import { perform, Targets } from './perform.js';

/** The request timeout given to the agent when the caller sets none (the server's default too). */
const DEFAULT_TIMEOUT_MS = 60_000;

export class LocalAgent {
  private readonly targets: Targets;
  private nextId = 1;

  constructor(
    /** The name its errors give, as a real agent gives its registered name. */
    readonly name: string,
    config: AgentConfig,
  ) {
    this.targets = new Targets(config.targets);
  }

  /** Carries one request as a session would, without the WebSocket (session.ts, runner.ts). */
  request(_group: string, request: AgentRequest): Promise<AgentResponse> {
    const id = this.nextId++;
    const agent = this.name;
    return new Promise((resolve, reject) => {
      let answer: CreditReceiver | undefined;
      let abort: (reason: Error) => void = () => {};
      // The request's body: what the caller sends arrives at the agent's end under its credit.
      let upload: CreditSender | undefined;
      const body =
        request.body === undefined
          ? undefined
          : new CreditReceiver(
              (bytes) => upload?.grant(bytes),
              () => {},
            );
      if (body) upload = new CreditSender((chunk) => body.deliver(chunk));
      // The response's body: what the agent sends arrives at the caller's end under its credit.
      const download = new CreditSender((chunk) => answer?.deliver(chunk));
      const failed = (error: Error) => {
        upload?.fail(error);
        download.fail(error);
        if (answer) answer.fail(error);
        else reject(error);
      };
      const send = (frame: ControlFrame) => {
        if (frame.t === 'response' && !answer) {
          answer = new CreditReceiver(
            (bytes) => download.grant(bytes),
            (error) => {
              const reason = error ?? new Error('the caller went away');
              download.fail(reason);
              upload?.fail(reason);
              abort(reason);
            },
          );
          resolve({ agent, status: frame.status, headers: frame.headers, body: answer });
        } else if (frame.t === 'end') {
          if (answer) answer.finish();
          else failed(agentStreamError(agent, 'AGENT_ERROR', 'ended before answering'));
        } else if (frame.t === 'error') {
          failed(agentStreamError(agent, frame.code, frame.message));
        }
      };
      perform(this.targets, {
        agent,
        frame: {
          t: 'request',
          id,
          method: request.method,
          url: request.url,
          headers: request.headers ?? [],
          timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          body: body !== undefined,
        },
        body,
        sender: download,
        send,
        onAbort: (cancel) => {
          abort = cancel;
        },
        done: () => {},
      });
      if (!body || !upload || request.body === undefined) return;
      const given = request.body;
      const pieces = typeof given === 'string' || given instanceof Uint8Array ? [given] : given;
      upload.send(pieces).then(
        () => body.finish(),
        (error: Error) => {
          body.fail(error);
          abort(error);
        },
      );
    });
  }

  close(): Promise<void> {
    return this.targets.close();
  }
}

export interface LocalTunnel {
  agent: LocalAgent;
  /** What `RunOptions.dispatcher` takes: every request of the run goes through the agent. */
  dispatcher: AgentDispatcher;
  close(): Promise<void>;
}

/** Reads `agent.yaml` (its errors are the ones `weft agent --config` gives) and opens the agent. */
export async function openLocalTunnel(file: string): Promise<LocalTunnel> {
  const config = await loadAgentConfig(file);
  const name = `local (${basename(file)})`;
  const agent = new LocalAgent(name, config);
  const dispatcher = new AgentDispatcher(agent, 'local', { via: `agent "${name}"` });
  return { agent, dispatcher, close: () => agent.close() };
}
