import type { Database, Statement } from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import { type DemoUser, UserDirectory } from "./users.js";

/** The session cookie's name. */
export const SESSION_COOKIE = "rb_demo_session";

/** A signed-in session. */
export interface Session {
  readonly user: DemoUser;
  /** Sent back by the page in `X-CSRF-Token` on every write. */
  readonly csrfToken: string;
  /** A stable, non-secret key of this session (a hash of its cookie), e.g. to end its streams on sign-out. */
  readonly key: string;
}

const hash = (token: string): string => createHash("sha256").update(token).digest("hex");
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Cookie sessions stored in SQLite: a random 256-bit token in an HttpOnly, SameSite=Lax cookie,
 * of which only the SHA-256 is stored, mapped to a demo user and a CSRF token. Kept in the database
 * (not in memory) so that instances sharing the file on Redis share sign-ins, and a restart keeps them.
 */
export class SessionStore {
  readonly #users: UserDirectory;
  readonly #ttlMs: number;
  readonly #purge: Statement<[number]>;
  readonly #insert: Statement<[string, number, string, number]>;
  readonly #select: Statement<[string], { id_user: number; csrf_token: string; expires_at: number }>;
  readonly #delete: Statement<[string]>;

  constructor(db: Database, ttlMs: number) {
    this.#users = new UserDirectory(db);
    this.#ttlMs = ttlMs;
    this.#purge = db.prepare("DELETE FROM session WHERE expires_at <= ?");
    this.#insert = db.prepare("INSERT INTO session (token_hash, id_user, csrf_token, expires_at) VALUES (?, ?, ?, ?)");
    this.#select = db.prepare("SELECT id_user, csrf_token, expires_at FROM session WHERE token_hash = ?");
    this.#delete = db.prepare("DELETE FROM session WHERE token_hash = ?");
  }

  /** How long a session lasts, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Signs a user in: returns the cookie's token. Expired sessions are purged on the way. */
  create(user: DemoUser, now = Date.now()): string {
    const token = randomBytes(32).toString("base64url");
    this.#purge.run(now);
    this.#insert.run(hash(token), user.id, randomBytes(24).toString("base64url"), now + this.#ttlMs);
    return token;
  }

  /** The session of a cookie's token, or `undefined` when it is missing, malformed, unknown or expired. */
  read(token: string | undefined, now = Date.now()): Session | undefined {
    if (!token || !TOKEN.test(token)) return undefined;
    const key = hash(token);
    const row = this.#select.get(key);
    if (!row || row.expires_at <= now) return undefined;
    const user = this.#users.byId(row.id_user);
    return user && { user, csrfToken: row.csrf_token, key };
  }

  /** Whether the session with this {@link Session.key} still exists and has not expired. */
  isActive(key: string, now = Date.now()): boolean {
    const row = this.#select.get(key);
    return row !== undefined && row.expires_at > now;
  }

  /** Signs out: the token no longer works anywhere. */
  destroy(token: string | undefined): void {
    if (token && TOKEN.test(token)) this.#delete.run(hash(token));
  }
}

/** The `Set-Cookie` value that stores a session. */
export function sessionCookie(token: string, ttlMs: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(ttlMs / 1000)}${secure ? "; Secure" : ""}`;
}

/** The `Set-Cookie` value that removes it. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}
