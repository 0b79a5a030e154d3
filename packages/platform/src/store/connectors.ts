/**
 * Connector versions: each connector's bundled source, kept once per change of its checksum.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isUniqueViolation, now } from './sql.js';

export interface ConnectorVersion {
  name: string;
  version: number;
  checksum: string;
  origin: string;
  createdAt: string;
}

export interface ConnectorRepository {
  /** Records a connector's source; returns the existing version when the source is unchanged. */
  putConnectorVersion(input: {
    name: string;
    checksum: string;
    source: string;
    origin: string;
  }): Promise<ConnectorVersion>;
  latestConnectorVersions(): Promise<ConnectorVersion[]>;
  connectorVersions(name: string): Promise<ConnectorVersion[]>;
  connectorSource(name: string, version: number): Promise<string | undefined>;
}

export class KyselyConnectors implements ConnectorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async putConnectorVersion(input: {
    name: string;
    checksum: string;
    source: string;
    origin: string;
  }): Promise<ConnectorVersion> {
    // Processes of a cluster starting together store the same folder's source at once: the
    // one that loses the race on the version's key reads the winner's row and goes on.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.putVersionOnce(input);
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }

  private putVersionOnce(input: { name: string; checksum: string; source: string; origin: string }) {
    return this.db.transaction().execute(async (trx): Promise<ConnectorVersion> => {
      const latest = await trx
        .selectFrom('connector_versions')
        .selectAll()
        .where('name', '=', input.name)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest && latest.checksum === input.checksum) return toVersion(latest);
      const row = {
        name: input.name,
        version: (latest?.version ?? 0) + 1,
        checksum: input.checksum,
        source: input.source,
        origin: input.origin,
        created_at: now(),
      };
      await trx.insertInto('connector_versions').values(row).execute();
      return toVersion(row);
    });
  }

  async latestConnectorVersions(): Promise<ConnectorVersion[]> {
    const rows = await this.db
      .selectFrom('connector_versions as v')
      .select(['v.name', 'v.version', 'v.checksum', 'v.origin', 'v.created_at'])
      .where(({ eb, selectFrom }) =>
        eb(
          'v.version',
          '=',
          selectFrom('connector_versions as w')
            .select(({ fn }) => fn.max('w.version').as('m'))
            .whereRef('w.name', '=', 'v.name'),
        ),
      )
      .orderBy('v.name')
      .execute();
    return rows.map(toVersion);
  }

  async connectorVersions(name: string): Promise<ConnectorVersion[]> {
    const rows = await this.db
      .selectFrom('connector_versions')
      .select(['name', 'version', 'checksum', 'origin', 'created_at'])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  async connectorSource(name: string, version: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('connector_versions')
      .select('source')
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row?.source;
  }
}

function toVersion(row: {
  name: string;
  version: number;
  checksum: string;
  origin: string;
  created_at: string;
}): ConnectorVersion {
  return {
    name: row.name,
    version: row.version,
    checksum: row.checksum,
    origin: row.origin,
    createdAt: row.created_at,
  };
}
