import type { Database, Queryable } from '@innover/kit';
import { AmbiguousCommitError, runTransaction } from '@innover/kit/transactions';
import type { Decision, EvaluationRequest, Outcome, Reason } from '../domain/decision.ts';
import type { EvaluationStore, EvaluationTransaction, RuleSetStore } from '../domain/evaluations.ts';
import { ruleSetSchema } from '../domain/rule-set.ts';
import type { RuleSet, Rules } from '../domain/rule-set.ts';

interface DecisionRow {
  decision: Outcome;
  reasons: Reason[];
  rule_set_version: string;
}

interface RuleSetRow {
  version: string;
  rules: unknown;
}

/** pg answers BIGINT (and count/sum) as a string: a checked conversion. */
function safeInteger(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`${what} is not a safe integer: ${text}`);
  return value;
}

function toRuleSet(row: RuleSetRow): RuleSet {
  // The stored rules passed this schema when they were put; parsing again keeps a hand-edited row honest.
  const rules = ruleSetSchema.parse(row.rules);
  return { version: safeInteger(row.version, 'rule_sets.version'), ...rules };
}

const noRuleSet = 'no rule set is stored: migrations/002_seed_default_rule_set.sql seeds version 1';

async function currentRuleSet(database: Queryable): Promise<RuleSet> {
  const [row] = await database.query<RuleSetRow>('SELECT version, rules FROM rule_sets ORDER BY version DESC LIMIT 1');
  if (!row) throw new Error(noRuleSet);
  return toRuleSet(row);
}

function toDecision(row: DecisionRow): Decision {
  return { decision: row.decision, reasons: row.reasons, ruleSetVersion: safeInteger(row.rule_set_version, 'evaluations.rule_set_version') };
}

function evaluationStore(tx: Queryable): EvaluationStore {
  return {
    async lockPayer(payerCustomerId, currency) {
      // One statement: the upsert's DO UPDATE takes the row lock whether the row is new or not (a DO NOTHING would not).
      await tx.query(
        'INSERT INTO velocity_locks (payer_customer_id, currency) VALUES ($1, $2) ON CONFLICT (payer_customer_id, currency) DO UPDATE SET locked_at = now()',
        [payerCustomerId, currency],
      );
    },
    async findDecision(paymentId): Promise<Decision | undefined> {
      const [row] = await tx.query<DecisionRow>('SELECT decision, reasons, rule_set_version FROM evaluations WHERE payment_id = $1', [paymentId]);
      return row ? toDecision(row) : undefined;
    },
    async evaluationInputs(request, evaluatedAt) {
      // One round trip: the rule set in force, the payment's stored decision (the LEFT JOIN's columns are all NULL
      // when there is none), and the payer's approved totals in the window the rule set names, ending at evaluatedAt.
      const [row] = await tx.query<RuleSetRow & (DecisionRow | { decision: null }) & { velocity_count: string; velocity_amount: string }>(
        `SELECT r.version, r.rules, e.decision, e.reasons, e.rule_set_version, v.velocity_count, v.velocity_amount
         FROM (SELECT version, rules FROM rule_sets ORDER BY version DESC LIMIT 1) r
         LEFT JOIN evaluations e ON e.payment_id = $1
         CROSS JOIN LATERAL (
           SELECT count(*) AS velocity_count, COALESCE(sum(amount_minor), 0) AS velocity_amount FROM evaluations
           WHERE payer_customer_id = $2 AND currency = $3 AND decision = 'approve'
             AND evaluated_at > $4::TIMESTAMPTZ - (r.rules->'velocity'->>'windowHours')::INT * INTERVAL '1 hour'
         ) v`,
        [request.paymentId, request.payerCustomerId, request.currency, evaluatedAt],
      );
      if (!row) throw new Error(noRuleSet);
      return {
        decision: row.decision ? toDecision(row) : undefined,
        ruleSet: toRuleSet(row),
        // sum(BIGINT) is NUMERIC: exact text, possibly past 2^53, hence BigInt.
        velocity: { count: safeInteger(row.velocity_count, 'velocity count'), amountMinor: BigInt(row.velocity_amount) },
      };
    },
    async insertDecision(request: EvaluationRequest, decision: Decision, evaluatedAt: Date) {
      const inserted = await tx.query(
        `INSERT INTO evaluations (payment_id, payer_customer_id, payee_customer_id, payer_country, payee_country, amount_minor, currency, decision, reasons, rule_set_version, evaluated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id`,
        [request.paymentId, request.payerCustomerId, request.payeeCustomerId, request.payerCountry, request.payeeCountry, request.amountMinor, request.currency, decision.decision, JSON.stringify(decision.reasons), decision.ruleSetVersion, evaluatedAt],
      );
      return inserted.length === 1;
    },
  };
}

/**
 * One evaluation per transaction, READ COMMITTED behind the payer's lock row: once the lock is held, each
 * statement sees what the payer's previous evaluations committed, so they queue instead of aborting one another
 * (under SERIALIZABLE, N concurrent payments of one payer would abort up to N − 1 times each). CockroachDB has
 * READ COMMITTED on by default since 24.1 (sql.txn.read_committed_isolation.enabled, cockroachdb/cockroach#118479)
 * and runs it as SERIALIZABLE where it is switched off, which is correct too; runTransaction retries its 40001s. A retried attempt
 * only re-runs SQL. After an ambiguous commit (40003: maybe committed) the work runs again: it is idempotent by
 * paymentId, so it answers the stored decision if the first commit happened, and decides anew if it did not.
 */
export function evaluationTransaction(database: Database, options: { ambiguousReruns?: number } = {}): EvaluationTransaction {
  return async (work) => {
    for (let rerun = 0; ; rerun += 1) {
      try {
        return await runTransaction(database, async (tx) => await work(evaluationStore(tx)), { isolation: 'read committed', name: 'rule-engine.evaluate' });
      } catch (error) {
        if (!(error instanceof AmbiguousCommitError) || rerun >= (options.ambiguousReruns ?? 2)) throw error;
      }
    }
  };
}

/** rule_sets: the newest version is the one in force. */
export function ruleSetStore(database: Queryable): RuleSetStore {
  return {
    current: async () => await currentRuleSet(database),
    async replace(rules: Rules) {
      // Two concurrent PUTs compute the same next version: the loser's insert does nothing and it takes the next one.
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const [row] = await database.query<RuleSetRow>(
          `INSERT INTO rule_sets (version, rules) SELECT COALESCE(max(version), 0) + 1, $1::JSONB FROM rule_sets
           ON CONFLICT (version) DO NOTHING RETURNING version, rules`,
          [JSON.stringify(rules)],
        );
        if (row) return toRuleSet(row);
      }
      throw new Error('rule set: 10 concurrent replacements in a row took the next version; retry');
    },
  };
}
