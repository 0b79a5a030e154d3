/**
 * On-premises agents (docs/auth/on-prem.md): each agent, online or offline, when it was last
 * heard from, its version, the requests it served and its last error; refreshed every 3 seconds
 * while the page is visible. Registering and rotating show the key once (agents/OneTimeKey.tsx).
 */
import { useId, useState } from 'react';
import { OneTimeKey, type ShownKey } from '../agents/OneTimeKey';
import { RegisterForm } from '../agents/RegisterForm';
import type { Agent, AgentWithKey } from '../api/types';
import { ListTable } from '../components/ListTable';
import { Button, ErrorMessage, formatTime, PageHeader } from '../components/ui';
import { useApi, useAsync, useListChange, usePolling, useTitle } from '../lib/hooks';
import { formatRelative } from '../lib/time';

const REFRESH_MS = 3000;

/** Each group with how many of its agents are online, by name. */
function groupsOf(agents: readonly Agent[]): { group: string; online: number; total: number }[] {
  const groups = new Map<string, { online: number; total: number }>();
  for (const agent of agents) {
    const counts = groups.get(agent.group) ?? { online: 0, total: 0 };
    counts.total++;
    if (agent.online) counts.online++;
    groups.set(agent.group, counts);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, counts]) => ({ group, ...counts }));
}

export function AgentsPage() {
  useTitle('Agents');
  const api = useApi();
  const list = useAsync(() => api.agents(), [api]);
  usePolling(list.reload, REFRESH_MS);
  const [group, setGroup] = useState('');
  const [shown, setShown] = useState<ShownKey>();
  const change = useListChange(list.reload);
  const groupId = useId();
  const agents = list.data?.items ?? [];
  const groups = groupsOf(agents);
  const visible = group ? agents.filter((a) => a.group === group) : agents;

  const show = (kind: ShownKey['kind'], answer: AgentWithKey) =>
    setShown({ kind, name: answer.agent.name, group: answer.agent.group, key: answer.key });
  const rotate = async (agent: Agent) => {
    const sure = window.confirm(
      `Rotate the key of the agent "${agent.name}"? The old key stops working now, and agents running with it are disconnected until restarted with the new key.`,
    );
    if (!sure) return;
    await change.run(agent.name, async () => show('rotated', await api.rotateAgent(agent.name)));
  };
  const revoke = async (agent: Agent) => {
    const sure = window.confirm(
      `Revoke the agent "${agent.name}"? Its key stops working and its sessions close now; connections of the group "${agent.group}" can use only its other agents.`,
    );
    if (!sure) return;
    await change.run(agent.name, () => api.revokeAgent(agent.name));
    setShown((s) => (s?.name === agent.name ? undefined : s));
  };

  return (
    <>
      <PageHeader title="Agents">
        <p className="muted">
          On-premises agents run inside private networks and carry the HTTP of connections that pick their group.
          Refreshed every {REFRESH_MS / 1000} seconds.
        </p>
      </PageHeader>
      {shown && <OneTimeKey shown={shown} server={window.location.origin} onDone={() => setShown(undefined)} />}
      <RegisterForm
        onRegistered={(answer) => {
          show('created', answer);
          list.reload();
        }}
      />
      <ErrorMessage error={list.error} title="The agents could not be loaded" />
      <ErrorMessage error={change.error} title="The agent could not be changed" />
      {groups.length > 1 && (
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter agents">
          <div className="field">
            <label className="field-label" htmlFor={groupId}>
              Group
            </label>
            <select id={groupId} value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">All groups</option>
              {groups.map((g) => (
                <option key={g.group} value={g.group}>
                  {g.group} ({g.online} of {g.total} online)
                </option>
              ))}
            </select>
          </div>
        </form>
      )}
      <ListTable
        list={{ data: list.data && { items: visible }, loading: list.loading }}
        caption="Agents"
        columns={['Name', 'Group', 'Status', 'Last seen', 'Version', 'Requests served', 'Last error']}
        actions
        ariaLive="off"
        emptyTitle={group ? 'No agent in this group' : 'No agents yet'}
        empty={<p>Register one above, then run it inside the private network with the command shown.</p>}
        row={(agent) => (
          <tr key={agent.name} data-agent={agent.name}>
            <th scope="row" className="agent-name">
              {agent.name}
            </th>
            <td>{agent.group}</td>
            <td>
              <span className={`badge badge-${agent.online ? 'online' : 'offline'}`}>
                {agent.online ? 'Online' : 'Offline'}
              </span>
            </td>
            <td>
              {agent.lastSeen ? (
                <time dateTime={agent.lastSeen} title={formatTime(agent.lastSeen)}>
                  {formatRelative(agent.lastSeen)}
                </time>
              ) : (
                'never'
              )}
            </td>
            <td>{agent.version ?? '—'}</td>
            <td className="numeric">{agent.requestsServed}</td>
            <td className="error-cell">{agent.lastError ?? ''}</td>
            <td className="row-actions">
              <Button
                size="small"
                busy={change.busy === agent.name}
                onClick={() => rotate(agent)}
                aria-label={`Rotate the key of the agent ${agent.name}`}
              >
                Rotate key
              </Button>
              <Button
                size="small"
                variant="ghost"
                busy={change.busy === agent.name}
                onClick={() => revoke(agent)}
                aria-label={`Revoke the agent ${agent.name}`}
              >
                Revoke
              </Button>
            </td>
          </tr>
        )}
      />
    </>
  );
}
