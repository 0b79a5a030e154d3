/**
 * Scoped MCP tokens (0008): a name, the connections whose actions the token may list and call at
 * `/mcp`, and the SHA-256 of the token (the token itself is shown once and never stored).
 */
import type { Kysely, Selectable } from 'kysely';
import { StoreError } from './common.js';
import type { Database, McpTokenTable } from './schema.js';
import { affected, insertOrConflict, now } from './sql.js';

export interface McpTokenRecord {
  name: string;
  connections: string[];
  tokenHash: string;
  createdAt: string;
}

export interface McpTokenRepository {
  /** Fails with `StoreError('CONFLICT')` when the name is taken. */
  insertMcpToken(input: { name: string; connections: string[]; tokenHash: string }): Promise<McpTokenRecord>;
  mcpTokenByHash(tokenHash: string): Promise<McpTokenRecord | undefined>;
  /** Every token, by name (a deployment has a handful). */
  listMcpTokens(): Promise<McpTokenRecord[]>;
  deleteMcpToken(name: string): Promise<boolean>;
}

function toMcpToken(row: Selectable<McpTokenTable>): McpTokenRecord {
  return {
    name: row.name,
    connections: JSON.parse(row.connections) as string[],
    tokenHash: row.token_hash,
    createdAt: row.created_at,
  };
}

export class KyselyMcpTokens implements McpTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMcpToken(input: { name: string; connections: string[]; tokenHash: string }): Promise<McpTokenRecord> {
    const row: Selectable<McpTokenTable> = {
      name: input.name,
      connections: JSON.stringify(input.connections),
      token_hash: input.tokenHash,
      created_at: now(),
    };
    const taken = () => new StoreError('CONFLICT', `An MCP token named "${input.name}" exists already`);
    await insertOrConflict(
      () =>
        this.db.transaction().execute(async (trx) => {
          const found = await trx
            .selectFrom('mcp_tokens')
            .select('name')
            .where('name', '=', input.name)
            .executeTakeFirst();
          if (found) throw taken();
          await trx.insertInto('mcp_tokens').values(row).execute();
        }),
      taken,
    );
    return toMcpToken(row);
  }

  async mcpTokenByHash(tokenHash: string): Promise<McpTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('mcp_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && toMcpToken(row);
  }

  async listMcpTokens(): Promise<McpTokenRecord[]> {
    const rows = await this.db.selectFrom('mcp_tokens').selectAll().orderBy('name').execute();
    return rows.map(toMcpToken);
  }

  async deleteMcpToken(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('mcp_tokens').where('name', '=', name).executeTakeFirst();
    return affected(result.numDeletedRows) === 1;
  }
}
