import { type ConditionJudge, needsConditionJudge } from '../core/detect/trusts.js';
import type { Row } from '../core/schema/row.js';

/**
 * The CEL evaluator for rows that set a GCP provider's trust, loaded on first need: a delivery
 * without one (nearly all of them) never pays for the evaluator's import.
 */
export async function conditionJudgeFor(rows: readonly Row[]): Promise<ConditionJudge | undefined> {
  if (!needsConditionJudge(rows)) return undefined;
  const { celConditionJudge } = await import('../core/identity/gcp-attribute-condition.js');
  return celConditionJudge;
}
