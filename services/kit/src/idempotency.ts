/**
 * Idempotency keys, Stripe-style, after Brandur Leach's rocket-rides-atomic: the key's row stores the request's
 * fingerprint (method, path, a hash of the canonical body), a lock (locked_at + lock_token) with a timeout so
 * a crashed request can be resumed, the recovery point its atomic phases reached, and the first response,
 * replayed verbatim afterwards. Table: migrations/kit_idempotency_001.sql.
 *
 * A request is a set of phases keyed by recovery point, starting at `started`. A phase either works inside
 * `context.atomic(tx => ...)`, one serializable transaction that also moves the key to its next recovery
 * point (or stores the response), fenced by the lock token so a request that lost its lock commits nothing;
 * or it does a foreign call (another service: make it idempotent, e.g. a ledger transfer with a derived id)
 * and returns the next point, which is recorded afterwards. A request that crashed is resumed from its last
 * recovery point by the client's retry once the lock timed out, or by `completeAbandonedRequests`.
 *
 * The HTTP contract (issue 10): a missing key or one over 255 characters → 400 `idempotency_key_required`
 * (not stored); the same key with another method, path or body → 422 `idempotency_key_reused`; while the
 * first request holds the lock → 409 `idempotency_key_in_use`; a finished key → the stored status and body
 * with `Idempotent-Replayed: true`. Keys live at least 24 h (`reapIdempotencyKeys`).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Database, Queryable } from './database.ts';
import { HttpError } from './http-errors.ts';
import { AmbiguousCommitError, runStatement, runTransaction, statementRunner } from './transactions.ts';
import type { Transaction } from './transactions.ts';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Keys are kept at least this long (the contract's 24 h); `reapIdempotencyKeys` refuses less. */
export const MIN_RETENTION_MS = 24 * 3_600_000;
/** A lock older than this is a crashed request's: the next request with the key resumes it. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const STARTED = 'started';
export const FINISHED = 'finished';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type PhaseState = Record<string, Json>;

/** JSON with object keys sorted at every depth, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
  });
}

export interface IdempotentRequest {
  key: string;
  method: string;
  path: string;
  body: unknown;
  params?: Record<string, string>;
}

/** sha256 over method, path and the canonical body. */
export function requestFingerprint(request: Pick<IdempotentRequest, 'method' | 'path' | 'body'>): string {
  return createHash('sha256').update(`${request.method.toUpperCase()} ${request.path}\n${canonicalJson(request.body)}`).digest('hex');
}

/** Why a key header is unusable, or undefined when it is fine. */
export function invalidKeyReason(key: string | undefined): string | undefined {
  if (key === undefined || key.length === 0) return `the ${IDEMPOTENCY_KEY_HEADER} header is required`;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) return `the ${IDEMPOTENCY_KEY_HEADER} header must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`;
  return undefined;
}

/** The key's row as a request holding its lock sees it. */
export interface IdempotencyRecord {
  key: string;
  method: string;
  path: string;
  body: unknown;
  params: Record<string, string>;
  recoveryPoint: string;
  state: PhaseState;
  lockToken: string;
  /** No key was sent to a route where it is optional: the phases run, nothing is recorded. */
  ephemeral?: boolean;
}

export interface StoredResponse {
  status: number;
  /** The JSON text as first sent. */
  body: string;
}

export type BeginOutcome =
  /** New key (`started`) or a crashed request's key taken over (`resumed`): run the phases. */
  | { kind: 'started' | 'resumed'; record: IdempotencyRecord }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in_use' }
  | { kind: 'mismatch' };

interface KeyRow {
  idempotency_key: string;
  request_method: string;
  request_path: string;
  request_hash: string;
  request_body: unknown;
  request_params: Record<string, string>;
  recovery_point: string;
  recovery_state: PhaseState;
  locked: boolean;
  lock_token: string | null;
  response_status: number | null;
  response_body: string | null;
}

const keyColumns = `idempotency_key, request_method, request_path, request_hash, request_body, request_params, recovery_point, recovery_state,
  (locked_at IS NOT NULL AND locked_at > now() - $2::INT8 * INTERVAL '1 millisecond') AS locked, lock_token, response_status, response_body`;

function toRecord(row: KeyRow, lockToken: string): IdempotencyRecord {
  return { key: row.idempotency_key, method: row.request_method, path: row.request_path, body: row.request_body, params: row.request_params, recoveryPoint: row.recovery_point, state: row.recovery_state, lockToken };
}

/**
 * The first atomic phase: inserts the key locked at `started`, or classifies an existing key (mismatch, in
 * use, replay) and takes over one whose lock timed out. A new key (the common case) is one statement, its own
 * implicit transaction; an existing one is read and decided in one short serializable transaction.
 */
export async function beginIdempotentRequest(database: Database, request: IdempotentRequest, options: { lockTimeoutMs?: number } = {}): Promise<BeginOutcome> {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const hash = requestFingerprint(request);
  const method = request.method.toUpperCase();
  const insert = async (db: Queryable, lockToken: string) =>
    (await db.query(
      `INSERT INTO idempotency_keys (idempotency_key, request_method, request_path, request_hash, request_body, request_params, recovery_point, recovery_state, locked_at, lock_token)
       VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', now(), $8)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [request.key, method, request.path, hash, JSON.stringify(request.body ?? null), JSON.stringify(request.params ?? {}), STARTED, lockToken],
    )).length === 1;
  const started = (lockToken: string): BeginOutcome => ({ kind: 'started', record: { key: request.key, method, path: request.path, body: request.body ?? null, params: request.params ?? {}, recoveryPoint: STARTED, state: {}, lockToken } });
  const firstToken = randomUUID();
  if (await insert(statementRunner(database, { name: 'idempotency.begin' }), firstToken)) return started(firstToken);
  return await runTransaction(
    database,
    async (tx): Promise<BeginOutcome> => {
      const lockToken = randomUUID();
      // Again inside the transaction: the key may have been reaped since.
      if (await insert(tx, lockToken)) return started(lockToken);
      const [row] = await tx.query<KeyRow>(`SELECT ${keyColumns} FROM idempotency_keys WHERE idempotency_key = $1 FOR UPDATE`, [request.key, lockTimeoutMs]);
      if (!row) throw new Error(`idempotency key vanished while it was read: ${request.key}`);
      if (row.request_hash !== hash || row.request_method !== method || row.request_path !== request.path) return { kind: 'mismatch' };
      if (row.response_status !== null) return { kind: 'replay', response: { status: row.response_status, body: row.response_body ?? 'null' } };
      if (row.locked) return { kind: 'in_use' };
      await tx.query('UPDATE idempotency_keys SET locked_at = now(), lock_token = $2, last_run_at = now() WHERE idempotency_key = $1', [request.key, lockToken]);
      return { kind: 'resumed', record: toRecord(row, lockToken) };
    },
    { name: 'idempotency.begin' },
  );
}

/**
 * Where a phase leads: the next recovery point (with state for the phases after it), or the final response.
 * `deferred`: see `passTo`.
 */
export type PhaseResult = { recoveryPoint: string; state?: PhaseState; deferred?: boolean } | { status: number; body: unknown };

export function goTo(recoveryPoint: string, state?: PhaseState): PhaseResult {
  return state === undefined ? { recoveryPoint } : { recoveryPoint, state };
}

/**
 * Like `goTo`, without a transaction of its own: the point and state are recorded together with whatever the
 * next phase records (its `atomic` transaction, or its result), saving a round of BEGIN, UPDATE, COMMIT. A
 * crash in between resumes at the earlier point and runs this phase again, so use it only for a phase whose
 * foreign calls are reads or idempotent (e.g. looking up the wallets of a payment), which is what the kit asks of
 * every foreign call anyway.
 */
export function passTo(recoveryPoint: string, state?: PhaseState): PhaseResult {
  return { recoveryPoint, ...(state === undefined ? {} : { state }), deferred: true };
}

export function respond(status: number, body: unknown): PhaseResult {
  return { status, body };
}

export interface PhaseContext {
  key: string;
  method: string;
  path: string;
  /** The request body (as the first request sent it, for a resumed key). */
  body: unknown;
  params: Record<string, string>;
  recoveryPoint: string;
  /** What earlier phases passed on (`goTo(point, state)`); merged phase by phase. */
  state: PhaseState;
  /** Runs `fn` in one serializable transaction that also records its result on the key, fenced by this request's lock. */
  atomic(fn: (tx: Transaction) => Promise<PhaseResult>): Promise<PhaseResult>;
  /**
   * `atomic` as one statement, for a phase whose writes are single data-modifying CTEs and whose result is known
   * before them: `build(gate, firstParameter)` answers the CTEs (each writing only `FROM gate`, the key's update
   * fenced by this request's lock, so a lost lock writes nothing) and their values, numbered from `firstParameter`.
   * The key records `result` in the same statement (kit runStatement: one round trip instead of four).
   */
  atomicStatement(result: PhaseResult, build: (gate: string, firstParameter: number) => { ctes: string; values: unknown[] }): Promise<PhaseResult>;
}

/** A request's phases by recovery point; `started` is the first. */
export type Phases = Record<string, (context: PhaseContext) => Promise<PhaseResult>>;

/** This request no longer holds the key's lock (it timed out and another request took over): its phase rolled back. */
export class IdempotencyLockLostError extends Error {
  override name = 'IdempotencyLockLostError';
  constructor(key: string) {
    super(`the lock on idempotency key ${key} was taken over by another request`);
  }
}

/** The key's update that records `result`, fenced by the request's lock token (RETURNING the key: no row, lock lost). */
function keyUpdate(record: IdempotencyRecord, result: PhaseResult, state: PhaseState): { sql: string; values: unknown[] } {
  return 'status' in result
    ? {
        sql: `UPDATE idempotency_keys SET recovery_point = $3, response_status = $4, response_body = $5, locked_at = NULL, last_run_at = now()
           WHERE idempotency_key = $1 AND lock_token = $2 RETURNING idempotency_key`,
        values: [record.key, record.lockToken, FINISHED, result.status, JSON.stringify(result.body ?? null)],
      }
    : {
        sql: `UPDATE idempotency_keys SET recovery_point = $3, recovery_state = $4, last_run_at = now()
           WHERE idempotency_key = $1 AND lock_token = $2 RETURNING idempotency_key`,
        values: [record.key, record.lockToken, result.recoveryPoint, JSON.stringify({ ...state, ...result.state })],
      };
}

/** Records `result` on the key; `state` is what the phases so far passed on (the record's, plus any deferred phase's). */
async function recordResult(tx: Queryable, record: IdempotencyRecord, result: PhaseResult, state: PhaseState = record.state): Promise<void> {
  if (record.ephemeral) return;
  const { sql, values } = keyUpdate(record, result, state);
  if ((await tx.query(sql, values)).length !== 1) throw new IdempotencyLockLostError(record.key);
}

/**
 * After an ambiguous commit, the key's row tells what happened, because the phase's effect and the key's
 * update were one transaction: moved on from `record.recoveryPoint`, the last point known recorded (or
 * finished), means committed. Undefined: it did not commit.
 */
async function settleAmbiguous(database: Database, record: IdempotencyRecord): Promise<PhaseResult | undefined> {
  const [row] = await database.query<KeyRow>(`SELECT ${keyColumns} FROM idempotency_keys WHERE idempotency_key = $1`, [record.key, 0]);
  if (!row || row.lock_token !== record.lockToken) throw new IdempotencyLockLostError(record.key);
  if (row.response_status !== null) return { status: row.response_status, body: JSON.parse(row.response_body ?? 'null') as unknown };
  if (row.recovery_point !== record.recoveryPoint) return { recoveryPoint: row.recovery_point, state: row.recovery_state };
  return undefined;
}

async function persist(database: Database, record: IdempotencyRecord, work: (tx: Transaction) => Promise<PhaseResult>, state: PhaseState = record.state): Promise<PhaseResult | undefined> {
  try {
    return await runTransaction(
      database,
      async (tx) => {
        const result = await work(tx);
        await recordResult(tx, record, result, state);
        return result;
      },
      { name: `idempotency.phase ${record.recoveryPoint}` },
    );
  } catch (error) {
    // Without a key row there is nothing to re-read: the caller hears the ambiguity.
    if (!(error instanceof AmbiguousCommitError) || record.ephemeral) throw error;
    return await settleAmbiguous(database, record);
  }
}

/** `persist` as one statement (`PhaseContext.atomicStatement`); undefined: an ambiguous outcome that did not commit. */
async function persistStatement(database: Database, record: IdempotencyRecord, result: PhaseResult, build: (gate: string, firstParameter: number) => { ctes: string; values: unknown[] }, state: PhaseState): Promise<PhaseResult | undefined> {
  const key = record.ephemeral ? { sql: 'SELECT NULL AS idempotency_key', values: [] } : keyUpdate(record, result, state);
  const phase = build('key_recorded', key.values.length + 1);
  try {
    const [row] = await runStatement<{ recorded: string }>(database, `WITH key_recorded AS (${key.sql}), ${phase.ctes} SELECT count(*) AS recorded FROM key_recorded`, [...key.values, ...phase.values], {
      name: `idempotency.phase ${record.recoveryPoint}`,
    });
    if (Number(row?.recorded) !== 1) throw new IdempotencyLockLostError(record.key);
    return result;
  } catch (error) {
    if (!(error instanceof AmbiguousCommitError) || record.ephemeral) throw error;
    return await settleAmbiguous(database, record);
  }
}

/**
 * Runs `phases` from `record.recoveryPoint` until one responds; answers the stored response. An ambiguous
 * commit is settled by re-reading the key (and the phase re-run when it had not committed, at most 3 times).
 * `record` stays what the key's row holds; `current` runs ahead of it by the phases that `passTo`'d.
 */
export async function runPhases(database: Database, record: IdempotencyRecord, phases: Phases): Promise<StoredResponse> {
  let ambiguousLeft = 3;
  let current = { recoveryPoint: record.recoveryPoint, state: record.state };
  for (;;) {
    const phase = phases[current.recoveryPoint];
    if (!phase) throw new Error(`no phase for recovery point "${current.recoveryPoint}" of idempotency key ${record.key}`);
    let outcome: PhaseResult | undefined;
    let persisted = false;
    const context: PhaseContext = {
      key: record.key,
      method: record.method,
      path: record.path,
      body: record.body,
      params: record.params,
      recoveryPoint: current.recoveryPoint,
      state: current.state,
      atomic: async (fn) => {
        const result = await persist(database, record, fn, current.state);
        if (result === undefined) throw new RerunPhase();
        persisted = true;
        return result;
      },
      atomicStatement: async (result, build) => {
        const recorded = await persistStatement(database, record, result, build, current.state);
        if (recorded === undefined) throw new RerunPhase();
        persisted = true;
        return recorded;
      },
    };
    try {
      const returned = await phase(context);
      if (persisted || ('deferred' in returned && returned.deferred)) outcome = returned;
      else outcome = await persist(database, record, async () => returned, current.state);
    } catch (error) {
      if (!(error instanceof RerunPhase)) throw error;
    }
    if (outcome === undefined) {
      ambiguousLeft -= 1;
      if (ambiguousLeft < 0) throw new Error(`idempotency key ${record.key}: phase "${current.recoveryPoint}" had ambiguous commits three times`);
      continue;
    }
    if ('status' in outcome) return { status: outcome.status, body: JSON.stringify(outcome.body ?? null) };
    current = { recoveryPoint: outcome.recoveryPoint, state: { ...current.state, ...outcome.state } };
    if (persisted || !outcome.deferred) record = { ...record, ...current };
  }
}

class RerunPhase extends Error {}

/** Releases the lock of a request that failed with an unexpected error, so a retry resumes at once. */
export async function releaseIdempotencyKey(database: Database, record: IdempotencyRecord): Promise<void> {
  if (record.ephemeral) return;
  await database.query('UPDATE idempotency_keys SET locked_at = NULL WHERE idempotency_key = $1 AND lock_token = $2', [record.key, record.lockToken]);
}

/**
 * Forgets a key that reached nothing (a 400 at `started`): "400s are not stored", so the client may send
 * the same key again with a corrected body.
 */
async function forgetUnstartedKey(database: Database, record: IdempotencyRecord): Promise<void> {
  if (record.ephemeral) return;
  await database.query('DELETE FROM idempotency_keys WHERE idempotency_key = $1 AND lock_token = $2 AND recovery_point = $3', [record.key, record.lockToken, STARTED]);
}

/**
 * Settles a phase's failure: an `HttpError` other than 400 becomes the stored response (Stripe stores the
 * outcome of a request that ran); a 400 is not stored; anything else releases the lock and is rethrown.
 */
async function settleFailure(database: Database, record: IdempotencyRecord, error: unknown): Promise<StoredResponse> {
  if (error instanceof HttpError && error.status >= 400 && error.status < 500) {
    const body = { error: error.code, message: error.message };
    if (record.ephemeral) return { status: error.status, body: JSON.stringify(body) };
    if (error.status === 400) {
      await forgetUnstartedKey(database, record);
      await releaseIdempotencyKey(database, record);
      return { status: 400, body: JSON.stringify(body) };
    }
    try {
      return await storeResponse(database, record, error.status, body);
    } catch (storeError) {
      await releaseIdempotencyKey(database, record).catch(() => undefined);
      throw storeError;
    }
  }
  if (!(error instanceof IdempotencyLockLostError)) await releaseIdempotencyKey(database, record).catch(() => undefined);
  throw error;
}

/** Stores a final response outside any phase (a phase's HttpError), settling an ambiguous commit by a re-read. */
async function storeResponse(database: Database, record: IdempotencyRecord, status: number, body: unknown): Promise<StoredResponse> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const result = await persist(database, record, async () => respond(status, body));
    if (result && 'status' in result) return { status: result.status, body: JSON.stringify(result.body ?? null) };
  }
  throw new Error(`idempotency key ${record.key}: storing the response had ambiguous commits three times`);
}

export interface IdempotencyOptions {
  database: Database;
  /** Multi-phase requests: phases by recovery point, starting at `started`. */
  phases?: Phases;
  /** Single-phase requests: the effect and the response in one atomic phase. */
  handle?: (tx: Transaction, context: PhaseContext) => Promise<PhaseResult>;
  lockTimeoutMs?: number;
  /**
   * The key may be left out (forex's `POST /quotes`): then the phases simply run, nothing is stored and a retry
   * is a new request. A key that is sent is still checked and honoured.
   */
  optional?: boolean;
}

function phasesOf(options: Pick<IdempotencyOptions, 'phases' | 'handle'>): Phases {
  if (options.phases) return options.phases;
  const handle = options.handle;
  if (!handle) throw new Error('idempotent(): pass phases or handle');
  return { [STARTED]: (context) => context.atomic((tx) => handle(tx, context)) };
}

/** What `idempotentRequest` answers: a response to send, and whether it is a replay. */
export interface IdempotentAnswer {
  status: number;
  body: string;
  replayed: boolean;
}

const answers = {
  required: (reason: string): IdempotentAnswer => ({ status: 400, body: JSON.stringify({ error: 'idempotency_key_required', message: reason }), replayed: false }),
  reused: (): IdempotentAnswer => ({ status: 422, body: JSON.stringify({ error: 'idempotency_key_reused', message: `this ${IDEMPOTENCY_KEY_HEADER} was used with a different request; send a new key for a new request` }), replayed: false }),
  inUse: (): IdempotentAnswer => ({ status: 409, body: JSON.stringify({ error: 'idempotency_key_in_use', message: `a request with this ${IDEMPOTENCY_KEY_HEADER} is still in progress; retry later` }), replayed: false }),
};

/**
 * The use case without Express: validates the key, begins (or replays), runs the phases, settles failures.
 * Unexpected errors are rethrown after the lock is released (the caller answers 500; a retry resumes).
 */
export async function idempotentRequest(options: IdempotencyOptions, request: Omit<IdempotentRequest, 'key'> & { key: string | undefined }): Promise<IdempotentAnswer> {
  if (options.optional && (request.key === undefined || request.key === '')) {
    const record: IdempotencyRecord = { key: '', method: request.method.toUpperCase(), path: request.path, body: request.body ?? null, params: request.params ?? {}, recoveryPoint: STARTED, state: {}, lockToken: '', ephemeral: true };
    try {
      return { ...(await runPhases(options.database, record, phasesOf(options))), replayed: false };
    } catch (error) {
      return { ...(await settleFailure(options.database, record, error)), replayed: false };
    }
  }
  const reason = invalidKeyReason(request.key);
  if (reason !== undefined || request.key === undefined) return answers.required(reason ?? 'missing key');
  const begun = await beginIdempotentRequest(options.database, { ...request, key: request.key }, options);
  switch (begun.kind) {
    case 'mismatch':
      return answers.reused();
    case 'in_use':
      return answers.inUse();
    case 'replay':
      return { ...begun.response, replayed: true };
    default:
      break;
  }
  try {
    return { ...(await runPhases(options.database, begun.record, phasesOf(options))), replayed: false };
  } catch (error) {
    if (error instanceof IdempotencyLockLostError) return answers.inUse();
    return { ...(await settleFailure(options.database, begun.record, error)), replayed: false };
  }
}

/**
 * Express 5 route handler: `router.post('/payments', validateBody(schema), idempotent({database, handle}))`.
 * Put `validateBody` first: an invalid body is a 400 and never reaches the key. The fingerprint covers the
 * method, `baseUrl + path` and the (validated) body.
 */
export function idempotent(options: IdempotencyOptions): RequestHandler {
  phasesOf(options);
  return async (request: Request, response) => {
    const answer = await idempotentRequest(options, {
      key: request.get(IDEMPOTENCY_KEY_HEADER),
      method: request.method,
      path: `${request.baseUrl}${request.path}`,
      body: request.body as unknown,
      params: { ...(request.params as Record<string, string>) },
    });
    if (answer.replayed) response.set(REPLAYED_HEADER, 'true');
    response.status(answer.status).type('application/json').send(answer.body);
  };
}

/**
 * Brandur's completer: finishes requests whose client went away mid-way (no response stored, lock timed
 * out, past `started`), by running their phases from the stored body. `phasesFor` picks the phases by the
 * stored method and path (undefined: skip). Answers how many it finished.
 */
export async function completeAbandonedRequests(database: Database, phasesFor: (request: { method: string; path: string }) => Phases | undefined, options: { lockTimeoutMs?: number; limit?: number } = {}): Promise<number> {
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const candidates = await database.query<{ idempotency_key: string; request_method: string; request_path: string; request_body: unknown; request_params: Record<string, string> }>(
    `SELECT idempotency_key, request_method, request_path, request_body, request_params FROM idempotency_keys
     WHERE response_status IS NULL AND recovery_point <> $1 AND (locked_at IS NULL OR locked_at <= now() - $2::INT8 * INTERVAL '1 millisecond')
     ORDER BY last_run_at LIMIT $3`,
    [STARTED, lockTimeoutMs, options.limit ?? 100],
  );
  let finished = 0;
  for (const candidate of candidates) {
    const phases = phasesFor({ method: candidate.request_method, path: candidate.request_path });
    if (!phases) continue;
    const answer = await idempotentRequest(
      { database, phases, lockTimeoutMs },
      { key: candidate.idempotency_key, method: candidate.request_method, path: candidate.request_path, body: candidate.request_body, params: candidate.request_params },
    ).catch(() => undefined);
    if (answer && !answer.replayed && answer.status !== 409) finished += 1;
  }
  return finished;
}

/** Brandur's reaper: deletes keys older than `retentionMs` (default and minimum 24 h), at most `limit` per call. */
export async function reapIdempotencyKeys(database: Queryable, options: { retentionMs?: number; limit?: number } = {}): Promise<number> {
  const retentionMs = options.retentionMs ?? MIN_RETENTION_MS;
  if (retentionMs < MIN_RETENTION_MS) throw new Error(`idempotency keys are kept at least 24 h; retentionMs ${retentionMs} is shorter`);
  const rows = await database.query(
    `DELETE FROM idempotency_keys WHERE idempotency_key IN (
       SELECT idempotency_key FROM idempotency_keys WHERE created_at < now() - $1::INT8 * INTERVAL '1 millisecond' LIMIT $2
     ) RETURNING idempotency_key`,
    [retentionMs, options.limit ?? 1_000],
  );
  return rows.length;
}
