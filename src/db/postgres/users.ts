// Users, groups, invites, group requests and token bookkeeping on PostgreSQL. Uniqueness (username,
// e-mail, group name) is enforced by constraints; the single-use invite and request decisions are
// conditional UPDATEs, so two racing accepts cannot both win.
import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type pg from 'pg';
import { conflict, invalid, notFound } from '../../errors';
import type { GroupStore } from '../../users/groups';
import { hashPassword, verifyPassword } from '../../users/password';
import { hashInviteToken, parseObjectId, type UserStore } from '../../users/store';
import type { TokenService, TokenStorage } from '../../users/tokens';
import type { GroupDoc, GroupRequestDoc, GroupRequestState, UserDoc } from '../../users/types';
import type { Actor } from '../nodes/types';
import { sqlState, UNIQUE_VIOLATION, violatedConstraint, withTransaction, type Queryable } from './pool';

const USER_COLUMNS =
  'id, username, email, hashed_password, is_active, is_superuser, is_verified, groups, token_generation, is_service, created, updated';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows as pg returns them
const toUser = (r: any): UserDoc => ({ ...r, id: undefined, _id: new ObjectId(r.id) });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toGroup = (r: any): GroupDoc => ({ _id: new ObjectId(r.id), name: r.name, created: r.created });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const toRequest = (r: any): GroupRequestDoc => ({
  _id: new ObjectId(r.id),
  user_id: new ObjectId(r.user_id),
  username: r.username,
  group: r.group,
  state: r.state,
  created: r.created,
  decided: r.decided,
  decided_by: r.decided_by,
});

function stripUndefined(u: UserDoc): UserDoc {
  delete (u as unknown as Record<string, unknown>).id;
  return u;
}

/** Which unique field a violation is about (`users_username_unique` → username). */
function takenField(err: unknown): string {
  return /username/.test(violatedConstraint(err) ?? '') ? 'username' : 'email';
}

async function checkGroups(db: Queryable, names: string[]): Promise<string[]> {
  const unique = [...new Set(names)];
  if (!unique.length) return unique;
  const { rows } = await db.query<{ name: string }>(
    'SELECT name FROM user_groups WHERE name = ANY($1::text[])',
    [unique],
  );
  const known = new Set(rows.map((g) => g.name));
  const missing = unique.filter((n) => !known.has(n));
  if (missing.length) throw invalid(`groups: unknown group ${missing.map((m) => `"${m}"`).join(', ')}`);
  return unique;
}

export class PgUserStore implements UserStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tokens: TokenService,
  ) {}

  async create(input: Parameters<UserStore['create']>[0]): Promise<UserDoc> {
    const groups = await checkGroups(this.pool, input.groups ?? []);
    const now = new Date();
    const hashed = input.password === null ? null : await hashPassword(input.password);
    try {
      const { rows } = await this.pool.query(
        `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $10)
         RETURNING ${USER_COLUMNS}`,
        [
          new ObjectId().toHexString(),
          input.username,
          input.email.toLowerCase(),
          hashed,
          input.is_active ?? true,
          input.is_superuser ?? false,
          input.is_verified ?? false,
          groups,
          input.is_service ?? false,
          now,
        ],
      );
      return stripUndefined(toUser(rows[0]));
    } catch (err) {
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      const field = takenField(err);
      throw conflict(`${field}: a user with this ${field} already exists`);
    }
  }

  async get(id: ObjectId): Promise<UserDoc | null> {
    const { rows } = await this.pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [
      id.toHexString(),
    ]);
    return rows.length ? stripUndefined(toUser(rows[0])) : null;
  }

  async getOr404(id: string): Promise<UserDoc> {
    const user = await this.get(parseObjectId(id));
    if (!user) throw notFound(`user ${id} not found`);
    return user;
  }

  async findByUsername(username: string): Promise<UserDoc | null> {
    const { rows } = await this.pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [
      username,
    ]);
    return rows.length ? stripUndefined(toUser(rows[0])) : null;
  }

  async authenticate(login: string, password: string): Promise<UserDoc | null> {
    const { rows } = await this.pool.query(
      `SELECT ${USER_COLUMNS} FROM users WHERE username = $1 OR ($2 AND email = lower($1))
       ORDER BY (username = $1) DESC LIMIT 1`,
      [login, login.includes('@')],
    );
    const user = rows.length ? stripUndefined(toUser(rows[0])) : null;
    const ok = await verifyPassword(password, user?.hashed_password);
    return ok && user && user.is_active ? user : null;
  }

  async list(
    filter: { username?: string; email?: string; group?: string },
    limit: number,
    offset: number,
  ): Promise<{ items: UserDoc[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.username !== undefined) where.push(`username = $${params.push(filter.username)}`);
    if (filter.email !== undefined) where.push(`email = $${params.push(filter.email.toLowerCase())}`);
    if (filter.group !== undefined) where.push(`groups @> ARRAY[$${params.push(filter.group)}::text]`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, total] = await Promise.all([
      this.pool.query(
        `SELECT ${USER_COLUMNS} FROM users ${w} ORDER BY id OFFSET ${offset} LIMIT ${limit}`,
        params,
      ),
      this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM users ${w}`, params),
    ]);
    return { items: items.rows.map((r) => stripUndefined(toUser(r))), total: total.rows[0].n };
  }

  async update(id: ObjectId, patch: Parameters<UserStore['update']>[1]): Promise<UserDoc> {
    const sets: string[] = ['updated = now()'];
    const params: unknown[] = [id.toHexString()];
    const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
    if (patch.username !== undefined) set('username', patch.username);
    if (patch.email !== undefined) set('email', patch.email.toLowerCase());
    if (patch.is_active !== undefined) set('is_active', patch.is_active);
    if (patch.is_superuser !== undefined) set('is_superuser', patch.is_superuser);
    if (patch.is_verified !== undefined) set('is_verified', patch.is_verified);
    if (patch.groups !== undefined) set('groups', await checkGroups(this.pool, patch.groups));
    if (patch.password !== undefined) {
      set('hashed_password', await hashPassword(patch.password));
      sets.push('token_generation = token_generation + 1');
    }
    const demotes = patch.is_superuser === false || patch.is_active === false;
    try {
      const user = await withTransaction(this.pool, async (client) => {
        if (demotes) await keepOneAdmin(client, id);
        const { rows } = await client.query(
          `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${USER_COLUMNS}`,
          params,
        );
        if (!rows.length) throw notFound(`user ${id.toHexString()} not found`);
        return stripUndefined(toUser(rows[0]));
      });
      this.tokens.forgetUser(id.toHexString());
      return user;
    } catch (err) {
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      const field = takenField(err);
      throw conflict(`body.${field}: a user with this ${field} already exists`);
    }
  }

  async delete(id: ObjectId): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await keepOneAdmin(client, id);
      const { rowCount } = await client.query('DELETE FROM users WHERE id = $1', [id.toHexString()]);
      if (!rowCount) throw notFound(`user ${id.toHexString()} not found`);
      await client.query('DELETE FROM user_invites WHERE user_id = $1', [id.toHexString()]);
      await client.query('DELETE FROM group_requests WHERE user_id = $1', [id.toHexString()]);
    });
    this.tokens.forgetUser(id.toHexString());
  }

  async invite(input: Parameters<UserStore['invite']>[0], lifetimeSeconds: number) {
    const user = await this.create({ ...input, password: null, is_verified: false });
    return this.issueInvite(user, lifetimeSeconds);
  }

  async issueInvite(user: UserDoc, lifetimeSeconds: number) {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expires_at = new Date(now.getTime() + lifetimeSeconds * 1000);
    await this.pool.query(
      'INSERT INTO user_invites (id, user_id, expires_at, used_at, created) VALUES ($1, $2, $3, NULL, $4)',
      [hashInviteToken(token), user._id.toHexString(), expires_at, now],
    );
    return { user, token, expires_at };
  }

  async peekInvite(token: string): Promise<{ user: UserDoc; expires_at: Date }> {
    const { rows } = await this.pool.query<{ user_id: string; expires_at: Date }>(
      'SELECT user_id, expires_at FROM user_invites WHERE id = $1 AND used_at IS NULL AND expires_at > now()',
      [hashInviteToken(token)],
    );
    const user = rows.length ? await this.get(new ObjectId(rows[0].user_id)) : null;
    if (!rows.length || !user) throw invalid('token: invalid, expired or already used invite token');
    return { user, expires_at: rows[0].expires_at };
  }

  async acceptInvite(token: string, password: string): Promise<UserDoc> {
    const hashed = await hashPassword(password);
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ user_id: string }>(
        `UPDATE user_invites SET used_at = now()
         WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
        [hashInviteToken(token)],
      );
      if (!rows.length) throw invalid('token: invalid, expired or already used invite token');
      const updated = await client.query(
        `UPDATE users SET hashed_password = $2, is_verified = true, updated = now() WHERE id = $1
         RETURNING ${USER_COLUMNS}`,
        [rows[0].user_id, hashed],
      );
      if (!updated.rows.length) throw invalid('token: the invited user no longer exists');
      return stripUndefined(toUser(updated.rows[0]));
    });
  }

  setPassword(id: ObjectId, password: string): Promise<UserDoc> {
    return this.update(id, { password });
  }

  revokeAllTokens(id: ObjectId): Promise<void> {
    return this.tokens.revokeAll(id);
  }

  async countSuperusers(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM users WHERE is_superuser AND is_active',
    );
    return rows[0].n;
  }

  checkGroups(names: string[]): Promise<string[]> {
    return checkGroups(this.pool, names);
  }
}

/**
 * Refuses to remove, demote or deactivate the last active superuser. The superusers are locked so two
 * admins demoting each other at once cannot both succeed.
 */
async function keepOneAdmin(client: Queryable, id: ObjectId): Promise<void> {
  const { rows } = await client.query<{ id: string; username: string }>(
    'SELECT id, username FROM users WHERE is_superuser AND is_active ORDER BY id FOR UPDATE',
  );
  const me = rows.find((r) => r.id === id.toHexString());
  if (me && rows.length <= 1) throw conflict(`user ${me.username} is the last active superuser`);
}

export class PgGroupStore implements GroupStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tokens?: TokenService,
  ) {}

  async list(filter: { name?: string }, limit: number, offset: number) {
    const w = filter.name !== undefined ? 'WHERE name = $1' : '';
    const params = filter.name !== undefined ? [filter.name] : [];
    const [items, total] = await Promise.all([
      this.pool.query(
        `SELECT id, name, created FROM user_groups ${w} ORDER BY name OFFSET ${offset} LIMIT ${limit}`,
        params,
      ),
      this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM user_groups ${w}`, params),
    ]);
    return { items: items.rows.map(toGroup), total: total.rows[0].n };
  }

  async create(name: string): Promise<GroupDoc> {
    try {
      const { rows } = await this.pool.query(
        'INSERT INTO user_groups (id, name, created) VALUES ($1, $2, now()) RETURNING id, name, created',
        [new ObjectId().toHexString(), name],
      );
      return toGroup(rows[0]);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw conflict(`name: group "${name}" already exists`);
      throw err;
    }
  }

  async ensure(names: string[]): Promise<void> {
    if (!names.length) return;
    await ensureGroups(this.pool, names);
  }

  async get(idOrName: string): Promise<GroupDoc> {
    const { rows } = await this.pool.query(
      'SELECT id, name, created FROM user_groups WHERE name = $1 OR id = lower($1) ORDER BY (id = lower($1)) DESC LIMIT 1',
      [idOrName],
    );
    if (!rows.length) throw notFound(`user group ${idOrName} not found`);
    return toGroup(rows[0]);
  }

  async delete(idOrName: string): Promise<void> {
    const group = await this.get(idOrName);
    await withTransaction(this.pool, async (client) => {
      // Locked: a user joining meanwhile waits, then finds the group gone.
      await client.query('SELECT 1 FROM user_groups WHERE id = $1 FOR UPDATE', [group._id.toHexString()]);
      const { rows } = await client.query<{ members: boolean; nodes: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM users WHERE groups @> ARRAY[$1::text]) AS members,
                EXISTS (SELECT 1 FROM nodes WHERE user_groups @> ARRAY[$1::text]) AS nodes`,
        [group.name],
      );
      if (rows[0].members) throw conflict(`user group "${group.name}" is in use: users are members of it`);
      if (rows[0].nodes) throw conflict(`user group "${group.name}" is in use: nodes list it in user_groups`);
      await client.query('DELETE FROM user_groups WHERE id = $1', [group._id.toHexString()]);
      await client.query(`DELETE FROM group_requests WHERE "group" = $1 AND state = 'pending'`, [group.name]);
    });
  }

  async requestJoin(user: UserDoc, idOrName: string) {
    const group = await this.get(idOrName);
    if (user.groups.includes(group.name)) throw conflict(`already a member of group "${group.name}"`);
    return withTransaction(this.pool, async (client) => {
      // Serialises requests of one user so asking twice at once yields one pending request.
      await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user._id.toHexString()]);
      const pending = await client.query(
        `SELECT * FROM group_requests WHERE user_id = $1 AND "group" = $2 AND state = 'pending'`,
        [user._id.toHexString(), group.name],
      );
      if (pending.rows.length) return { request: toRequest(pending.rows[0]), created: false };
      const { rows } = await client.query(
        `INSERT INTO group_requests (id, user_id, username, "group", state, created)
         VALUES ($1, $2, $3, $4, 'pending', now()) RETURNING *`,
        [new ObjectId().toHexString(), user._id.toHexString(), user.username, group.name],
      );
      return { request: toRequest(rows[0]), created: true };
    });
  }

  async leave(user: UserDoc, idOrName: string): Promise<UserDoc> {
    const group = await this.get(idOrName);
    if (!user.groups.includes(group.name)) throw conflict(`not a member of group "${group.name}"`);
    const { rows } = await this.pool.query(
      `UPDATE users SET groups = array_remove(groups, $2), updated = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [user._id.toHexString(), group.name],
    );
    if (!rows.length) throw notFound('user not found');
    this.tokens?.forgetUser(user._id.toHexString());
    return stripUndefined(toUser(rows[0]));
  }

  async listRequests(
    filter: { state?: GroupRequestState; group?: string; userId?: ObjectId },
    limit: number,
    offset: number,
  ) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) where.push(`state = $${params.push(filter.state)}`);
    if (filter.group) where.push(`"group" = $${params.push(filter.group)}`);
    if (filter.userId) where.push(`user_id = $${params.push(filter.userId.toHexString())}`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [items, total] = await Promise.all([
      this.pool.query(
        `SELECT * FROM group_requests ${w} ORDER BY created, id OFFSET ${offset} LIMIT ${limit}`,
        params,
      ),
      this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM group_requests ${w}`, params),
    ]);
    return { items: items.rows.map(toRequest), total: total.rows[0].n };
  }

  async decide(requestId: ObjectId, approve: boolean, decidedBy: string): Promise<GroupRequestDoc> {
    const state: GroupRequestState = approve ? 'approved' : 'rejected';
    const decided = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query(
        `UPDATE group_requests SET state = $2, decided = now(), decided_by = $3
         WHERE id = $1 AND state = 'pending' RETURNING *`,
        [requestId.toHexString(), state, decidedBy],
      );
      if (!rows.length) {
        const existing = await client.query('SELECT state FROM group_requests WHERE id = $1', [
          requestId.toHexString(),
        ]);
        if (!existing.rows.length) throw notFound(`group request ${requestId.toHexString()} not found`);
        throw conflict(`group request ${requestId.toHexString()} is already ${existing.rows[0].state}`);
      }
      const request = toRequest(rows[0]);
      if (approve) {
        const group = await client.query('SELECT 1 FROM user_groups WHERE name = $1', [request.group]);
        if (!group.rows.length) throw notFound(`user group ${request.group} not found`);
        await client.query(
          `UPDATE users SET groups = array_append(groups, $2), updated = now()
           WHERE id = $1 AND NOT groups @> ARRAY[$2::text]`,
          [request.user_id.toHexString(), request.group],
        );
      }
      return request;
    });
    if (approve) this.tokens?.forgetUser(decided.user_id.toHexString());
    return decided;
  }
}

async function ensureGroups(db: Queryable, names: string[]): Promise<void> {
  await db.query(
    `INSERT INTO user_groups (id, name, created)
     SELECT md5(random()::text || n)::char(24), n, now() FROM unnest($1::text[]) AS n
     ON CONFLICT (name) DO NOTHING`,
    [[...new Set(names)]],
  );
}

/** Creates the service user when missing and adds the groups (one statement, safe when racing). */
export async function ensurePgServiceUser(pool: pg.Pool, username: string, groups: string[]): Promise<Actor> {
  await ensureGroups(pool, groups);
  const { rows } = await pool.query(
    `INSERT INTO users (${USER_COLUMNS})
     VALUES ($1, $2, $3, NULL, true, false, true, $4::text[], 0, true, now(), now())
     ON CONFLICT (username) DO UPDATE
       SET groups = ARRAY(SELECT DISTINCT unnest(users.groups || EXCLUDED.groups) ORDER BY 1)
     RETURNING id, username, groups, is_superuser`,
    [new ObjectId().toHexString(), username, `${username}@service.invalid`, groups],
  );
  const u = rows[0];
  return { id: u.id, username: u.username, groups: u.groups, isSuperuser: u.is_superuser };
}

export function pgTokenStorage(pool: pg.Pool): TokenStorage {
  return {
    async findUser(id) {
      const { rows } = await pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [
        id.toHexString(),
      ]);
      return rows.length ? stripUndefined(toUser(rows[0])) : null;
    },
    async isRevoked(jti) {
      const { rowCount } = await pool.query('SELECT 1 FROM revoked_tokens WHERE jti = $1', [jti]);
      return !!rowCount;
    },
    async revoke(jti, userId, expiresAt) {
      await pool.query(
        `INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (jti) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [jti, userId, expiresAt],
      );
      await pool.query('DELETE FROM revoked_tokens WHERE expires_at < now()');
    },
    async bumpTokenGeneration(userId) {
      await pool.query(
        'UPDATE users SET token_generation = token_generation + 1, updated = now() WHERE id = $1',
        [userId.toHexString()],
      );
    },
    async signingSecret(create) {
      // First writer wins; every replica reads the stored key.
      await pool.query(`INSERT INTO api_secrets (id, key) VALUES ('jwt', $1) ON CONFLICT (id) DO NOTHING`, [
        create(),
      ]);
      const { rows } = await pool.query<{ key: string }>(`SELECT key FROM api_secrets WHERE id = 'jwt'`);
      return rows[0].key;
    },
  };
}
