/**
 * Scoped MCP tokens: each may list and call, at `/mcp`, the actions of the connections it names
 * and nothing else (no `/api` route takes it). Created with the admin token; the token is shown
 * once and only its SHA-256 is kept. Who a bearer token is at `/mcp`: the admin (every
 * connection) or the scoped token it matches.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError } from './errors.js';
import { invalid } from './input.js';
import { checkName } from './names.js';
import type { ConnectionRepository } from './store/connections.js';
import type { McpTokenRecord, McpTokenRepository } from './store/mcp-tokens.js';

export const MCP_TOKEN_PREFIX = 'weft_mcp_';

/** Connections one token may name. */
const MAX_CONNECTIONS = 100;

export interface McpTokenView {
  name: string;
  connections: string[];
  createdAt: string;
}

/** Who called `/mcp`: the admin sees every connection, a scoped token its own. */
export type McpCaller = { admin: true } | { admin: false; token: string; connections: readonly string[] };

export function hashMcpToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const view = (record: McpTokenRecord): McpTokenView => ({
  name: record.name,
  connections: record.connections,
  createdAt: record.createdAt,
});

export class McpTokens {
  constructor(private readonly store: McpTokenRepository & Pick<ConnectionRepository, 'getConnection'>) {}

  async create(input: { name: string; connections: string[] }): Promise<McpTokenView & { token: string }> {
    checkName(input.name, 'identifier', 'name');
    const connections = [...new Set(input.connections)];
    if (connections.length === 0) throw invalid('connections', 'name at least one connection');
    if (connections.length > MAX_CONNECTIONS) throw invalid('connections', `name at most ${MAX_CONNECTIONS}`);
    for (const [i, name] of connections.entries()) {
      if (!(await this.store.getConnection(name))) {
        throw new NotFoundError('CONNECTION_NOT_FOUND', `No connection named "${name}"`, `connections/${i}`);
      }
    }
    const token = `${MCP_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record = await this.store.insertMcpToken({ name: input.name, connections, tokenHash: hashMcpToken(token) });
    return { ...view(record), token };
  }

  async list(): Promise<McpTokenView[]> {
    return (await this.store.listMcpTokens()).map(view);
  }

  async remove(name: string): Promise<void> {
    if (!(await this.store.deleteMcpToken(name))) {
      throw new NotFoundError('MCP_TOKEN_NOT_FOUND', `No MCP token named "${name}"`, 'name');
    }
  }

  /** The scoped token `token` is; undefined for one no record holds (deleted, made up). */
  async authenticate(token: string): Promise<McpTokenRecord | undefined> {
    if (!token.startsWith(MCP_TOKEN_PREFIX) || token.length > 200) return undefined;
    return this.store.mcpTokenByHash(hashMcpToken(token));
  }
}
