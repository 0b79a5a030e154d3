/**
 * An agent's key, shown once: after registering or rotating. The key lives only in the page's
 * state; it is never stored or put in the address, so leaving the page forgets it.
 */
import { Button, CopyButton } from '../components/ui';

export interface ShownKey {
  /** `created`: a new agent; `rotated`: a new key for an agent that had one. */
  kind: 'created' | 'rotated';
  name: string;
  group: string;
  key: string;
}

/** The command that runs the agent against this server (the console is served by it). */
export function agentCommand(server: string, key: string): string {
  return `weft agent --server ${server} --key ${key} --config agent.yaml`;
}

export function OneTimeKey({ shown, server, onDone }: { shown: ShownKey; server: string; onDone: () => void }) {
  const command = agentCommand(server, shown.key);
  const title =
    shown.kind === 'created'
      ? `Agent "${shown.name}" registered in group "${shown.group}"`
      : `New key for agent "${shown.name}"`;
  return (
    <section className="card one-time-key" aria-labelledby="one-time-key-title">
      <h2 className="card-title" id="one-time-key-title">
        {title}
      </h2>
      <div className="alert alert-warning" role="status">
        <p className="alert-title">Copy this key now: it will not be shown again.</p>
        <div className="alert-body">
          <p>
            Weft keeps only its hash. A lost key is not recovered: rotate the agent to get a new one.
            {shown.kind === 'rotated' &&
              ' The old key stopped working: agents running with it were disconnected and cannot reconnect until they are restarted with this key.'}
          </p>
        </div>
      </div>
      <p className="field-label">Agent key</p>
      <div className="inline">
        <code className="url" data-testid="agent-key">
          {shown.key}
        </code>
        <CopyButton text={shown.key} label="Copy key" />
      </div>
      <p className="field-label">Run the agent inside the private network</p>
      <div className="inline">
        <code className="url" data-testid="agent-command">
          {command}
        </code>
        <CopyButton text={command} label="Copy command" />
      </div>
      <p className="field-note">
        <code>agent.yaml</code> lists the hosts the agent may reach; without it the agent may reach nothing. In a
        service, pass the key as <code>WEFT_AGENT_KEY</code> instead of <code>--key</code> to keep it out of process
        listings.
      </p>
      <Button onClick={onDone}>I have copied the key</Button>
    </section>
  );
}
