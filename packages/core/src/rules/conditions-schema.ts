import { z } from 'zod';
import { parseMinorUnits } from '../money';
import {
  CONDITION_FIELD_NAMES,
  CONDITION_FIELDS,
  CONDITION_OPS,
  type ConditionField,
  type ConditionOp,
  type FieldKind,
  OPS_BY_KIND,
} from './fields';

/** One test of one fact: `{ "field": "item.category", "op": "in", "value": ["shoes"] }`. */
export interface Predicate {
  field: ConditionField;
  op: ConditionOp;
  value: PredicateValue;
}

export type PredicateValue = string | number | boolean | readonly (string | number)[];

/** All of, any of, not, or one predicate. A rule without a condition matches every order. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | Predicate;

/** The most predicates one rule may hold, and how deep its all/any/not may nest. */
export const MAX_PREDICATES = 100;
export const MAX_CONDITION_DEPTH = 8;
const MAX_LIST = 1000;

type Check = (v: unknown) => string | null;

const isInt = (v: unknown, min: number, max: number) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const money: Check = (v) =>
  typeof v === 'string' && parseMinorUnits(v) !== null
    ? null
    : 'must be minor units as a string, such as "1999"';
const count: Check = (v) => (isInt(v, 0, 1e9) ? null : 'must be a whole number from 0');
const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= 200 ? null : 'must be 1 to 200 characters';
const flag: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const weekday: Check = (v) => (isInt(v, 1, 7) ? null : 'must be 1 (Monday) to 7 (Sunday)');

function date(v: unknown): string | null {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'must be a YYYY-MM-DD date';
  const d = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v
    ? 'must be a real calendar date'
    : null;
}

function clock(v: unknown): string | null {
  return typeof v === 'string' && /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(v)
    ? null
    : 'must be a HH:MM time';
}

const SCALAR: Record<FieldKind, Check> = {
  money,
  count,
  date,
  text,
  flag,
  time: clock,
  weekday,
};

/** Orders a pair of values of one kind, so `between` can insist on low ≤ high. */
function ascending(kind: FieldKind, a: unknown, b: unknown): boolean {
  if (kind === 'money') return BigInt(String(a)) <= BigInt(String(b));
  if (kind === 'count') return Number(a) <= Number(b);
  return String(a) <= String(b);
}

function checkPair(kind: FieldKind, value: unknown): string | null {
  if (!Array.isArray(value) || value.length !== 2) return 'must be a [low, high] pair';
  const problem = SCALAR[kind](value[0]) ?? SCALAR[kind](value[1]);
  if (problem) return problem;
  if (kind === 'time') return value[0] === value[1] ? 'the window must not be empty' : null;
  return ascending(kind, value[0], value[1]) ? null : 'low must not be above high';
}

function checkList(kind: FieldKind, value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) {
    return `must be a list of 1 to ${MAX_LIST} values`;
  }
  for (const v of value) {
    const problem = SCALAR[kind](v);
    if (problem) return `every value ${problem}`;
  }
  return null;
}

/** Why a predicate's operator or value does not suit its field, or null when it does. */
export function predicateProblem(p: { field: ConditionField; op: ConditionOp; value: unknown }): {
  path: 'op' | 'value';
  message: string;
} | null {
  const kind = CONDITION_FIELDS[p.field].kind;
  const allowed = OPS_BY_KIND[kind];
  if (!allowed.includes(p.op)) {
    return { path: 'op', message: `${p.field} accepts only ${allowed.join(', ')}` };
  }
  let message: string | null;
  if (p.op === 'between') message = checkPair(kind, p.value);
  else if (p.op === 'in' || p.op === 'notIn') message = checkList(kind, p.value);
  else message = SCALAR[kind](p.value);
  return message ? { path: 'value', message } : null;
}

/**
 * A condition node. zod cannot tell a union of open shapes apart with useful messages, so a
 * node is one object whose keys are checked here: exactly one of `all`, `any`, `not` or
 * `field`, and a predicate's operator and value must suit its field.
 */
export const ConditionSchema: z.ZodType<Condition> = z
  .lazy(() =>
    z
      .strictObject({
        all: z.array(ConditionSchema).min(1).max(MAX_PREDICATES).optional(),
        any: z.array(ConditionSchema).min(1).max(MAX_PREDICATES).optional(),
        not: ConditionSchema.optional(),
        field: z.enum(CONDITION_FIELD_NAMES).optional(),
        op: z.enum(CONDITION_OPS).optional(),
        value: z.unknown().optional(),
      })
      .superRefine((node, ctx) => {
        const forms = ['all', 'any', 'not', 'field'].filter((k) => k in node);
        if (forms.length !== 1) {
          ctx.addIssue({
            code: 'custom',
            message: 'must have exactly one of all, any, not or field',
          });
          return;
        }
        if (!('field' in node) || node.field === undefined) {
          if ('op' in node || 'value' in node) {
            ctx.addIssue({ code: 'custom', message: 'op and value belong to a field predicate' });
          }
          return;
        }
        if (node.op === undefined) {
          ctx.addIssue({ code: 'custom', path: ['op'], message: 'is required' });
          return;
        }
        const problem = predicateProblem({ field: node.field, op: node.op, value: node.value });
        if (problem)
          ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
      }),
  )
  .meta({ id: 'RuleCondition' }) as unknown as z.ZodType<Condition>;

/** How many predicates a condition holds and how deep it nests. */
export function measureCondition(c: Condition, depth = 1): { predicates: number; depth: number } {
  const children = 'all' in c ? c.all : 'any' in c ? c.any : 'not' in c ? [c.not] : null;
  if (!children) return { predicates: 1, depth };
  let predicates = 0;
  let deepest = depth;
  for (const child of children) {
    const m = measureCondition(child, depth + 1);
    predicates += m.predicates;
    deepest = Math.max(deepest, m.depth);
  }
  return { predicates, depth: deepest };
}
