/**
 * RFC 6902 JSON Patch applied to a JSON value, as the FHIR `patch` interaction takes it
 * (application/json-patch+json). Pure: the input document is never changed (the result is a fresh copy, sharing
 * nothing with the document or the patch).
 *
 * - First every operation's shape is checked (all problems listed): an array of objects, `op` one of add, remove,
 *   replace, move, copy, test, `path` (and `from` for move and copy) an RFC 6901 JSON Pointer (`~0` `~1` the only
 *   escapes), `value` present for add, replace and test, and only JSON values. Members not named by RFC 6902 are
 *   ignored (appendix A.11). Then the operations run in order; the first one that cannot apply stops the patch
 *   (RFC 6902 §5), with one problem.
 * - FHIR_PATCH_INVALID: anything wrong with the patch, or a location that does not exist (a missing parent, an index
 *   out of range, `-` anywhere but as the last token of an `add`, a leading zero, a `move` into its own child, `remove`
 *   of the whole document). FHIR_PATCH_TEST_FAILED: a `test` whose value is not equal (JSON equality: same type,
 *   numbers by value, objects whatever their member order, arrays in order).
 * - Prototype pollution: a `__proto__`, `constructor` or `prototype` token in a pointer, or member name in a value, is
 *   refused; members are read with Object.hasOwn only.
 * - Bounds, so that a small patch cannot make a huge or deep document: at most 1,000 operations, pointers of at most
 *   100 tokens, values at most 100 levels deep, and the document may grow by at most 100,000 nodes (`copy` of a
 *   large part, again and again, would otherwise double it each time).
 * - Paths of problems: `patch`, `patch[i]`, `patch[i].op`, `patch[i].path`, `patch[i].from`, `patch[i].value`.
 *   Messages are fixed: no pointer or value is repeated.
 */
import { fail, ok, type Problem, type Result } from '../errors/result.ts';

export const JSON_PATCH_LIMITS = { maxOperations: 1000, maxPointerTokens: 100, maxValueDepth: 100, maxAddedNodes: 100_000 } as const;

type Op = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
const OPS: readonly string[] = ['add', 'remove', 'replace', 'move', 'copy', 'test'];
const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

interface Operation {
  index: number;
  op: Op;
  path: string[];
  from?: string[];
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function problem(code: 'FHIR_PATCH_INVALID' | 'FHIR_PATCH_TEST_FAILED', path: string, message: string): Problem {
  return { code, path, message };
}

/** The tokens of an RFC 6901 pointer, or a reason it is not one. */
function parsePointer(pointer: unknown): string[] | string {
  if (typeof pointer !== 'string') return 'not a JSON Pointer (a string)';
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return 'a JSON Pointer is empty or starts with /';
  const tokens = pointer.slice(1).split('/');
  if (tokens.length > JSON_PATCH_LIMITS.maxPointerTokens) return `a JSON Pointer of more than ${JSON_PATCH_LIMITS.maxPointerTokens} tokens`;
  const out: string[] = [];
  for (const token of tokens) {
    if (/~(?![01])/.test(token)) return 'a ~ in a JSON Pointer is followed by 0 or 1';
    const name = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (FORBIDDEN_KEYS.includes(name)) return 'a JSON Pointer names a forbidden member (__proto__, constructor, prototype)';
    out.push(name);
  }
  return out;
}

/** Why `value` is not a JSON value this patch may carry, or undefined when it is one. */
function checkValue(value: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'a value is not JSON (a number that is not finite)';
      continue;
    }
    if (depth >= JSON_PATCH_LIMITS.maxValueDepth) return `a value nested more than ${JSON_PATCH_LIMITS.maxValueDepth} levels deep`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ value: item, depth: depth + 1 });
    } else if (isPlainObject(v)) {
      for (const key of Object.keys(v)) {
        if (FORBIDDEN_KEYS.includes(key)) return 'a value has a forbidden member (__proto__, constructor, prototype)';
        stack.push({ value: v[key], depth: depth + 1 });
      }
    } else {
      return 'a value is not JSON';
    }
  }
  return undefined;
}

/** Every operation read, or every problem with their shapes. */
function readOperations(patch: unknown): Result<Operation[]> {
  if (!Array.isArray(patch)) return fail(problem('FHIR_PATCH_INVALID', 'patch', 'a JSON Patch is an array of operations'));
  if (patch.length > JSON_PATCH_LIMITS.maxOperations) {
    return fail(problem('FHIR_PATCH_INVALID', 'patch', `a JSON Patch of more than ${JSON_PATCH_LIMITS.maxOperations} operations`));
  }
  const problems: Problem[] = [];
  const operations: Operation[] = [];
  for (let i = 0; i < patch.length; i++) {
    const item: unknown = patch[i];
    const at = `patch[${i}]`;
    if (!isPlainObject(item)) {
      problems.push(problem('FHIR_PATCH_INVALID', at, 'an operation is a JSON object'));
      continue;
    }
    const op = Object.hasOwn(item, 'op') ? item.op : undefined;
    if (typeof op !== 'string' || !OPS.includes(op)) {
      problems.push(problem('FHIR_PATCH_INVALID', `${at}.op`, 'op is add, remove, replace, move, copy or test'));
      continue;
    }
    const before = problems.length;
    const path = parsePointer(Object.hasOwn(item, 'path') ? item.path : undefined);
    if (typeof path === 'string') problems.push(problem('FHIR_PATCH_INVALID', `${at}.path`, path));
    let from: string[] | string | undefined;
    if (op === 'move' || op === 'copy') {
      from = parsePointer(Object.hasOwn(item, 'from') ? item.from : undefined);
      if (typeof from === 'string') problems.push(problem('FHIR_PATCH_INVALID', `${at}.from`, from));
    }
    const needsValue = op === 'add' || op === 'replace' || op === 'test';
    if (needsValue) {
      if (!Object.hasOwn(item, 'value') || item.value === undefined) problems.push(problem('FHIR_PATCH_INVALID', `${at}.value`, `${op} needs a value`));
      else {
        const bad = checkValue(item.value);
        if (bad) problems.push(problem('FHIR_PATCH_INVALID', `${at}.value`, bad));
      }
    }
    if (problems.length === before && typeof path !== 'string' && typeof from !== 'string') {
      operations.push({ index: i, op: op as Op, path, ...(from ? { from } : {}), ...(needsValue ? { value: item.value } : {}) });
    }
  }
  return problems.length > 0 ? fail(...problems) : ok(operations);
}

/** Sets an own member, even one named __proto__ (a plain assignment would change the prototype). */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** A deep copy of a JSON value (iterative); other values (not plain objects or arrays) are kept as they are. */
function cloneJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copyOf = (v: unknown): unknown => (Array.isArray(v) ? new Array<unknown>(v.length) : isPlainObject(v) ? {} : v);
  const root = copyOf(value);
  const stack: { source: unknown; target: unknown }[] = [{ source: value, target: root }];
  while (stack.length > 0) {
    const { source, target } = stack.pop()!;
    if (Array.isArray(source)) {
      const t = target as unknown[];
      source.forEach((item, i) => {
        const c = copyOf(item);
        t[i] = c;
        if (c !== item) stack.push({ source: item, target: c });
      });
    } else if (isPlainObject(source)) {
      const t = target as Record<string, unknown>;
      for (const key of Object.keys(source)) {
        const item = source[key];
        const c = copyOf(item);
        setMember(t, key, c);
        if (c !== item) stack.push({ source: item, target: c });
      }
    }
  }
  return root;
}

/** Number of nodes (values) in a JSON value, counting no further than `limit`. */
function countNodes(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const v = stack.pop();
    count++;
    if (Array.isArray(v)) stack.push(...v);
    else if (isPlainObject(v)) stack.push(...Object.values(v));
  }
  return count;
}

/** JSON equality: same type, numbers by value, objects whatever their member order, arrays in order. */
function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      x.forEach((item, i) => stack.push([item, y[i]]));
    } else if (isPlainObject(x)) {
      if (!isPlainObject(y)) return false;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const key of keys) {
        if (!Object.hasOwn(y, key)) return false;
        stack.push([x[key], y[key]]);
      }
    } else {
      return false;
    }
  }
  return true;
}

/** An array index token: `0` or digits without a leading zero; `-` (past the end) only where allowed. */
function arrayIndex(token: string, length: number, forAdd: boolean): number | undefined {
  if (token === '-') return forAdd ? length : undefined;
  if (!/^(0|[1-9][0-9]{0,8})$/.test(token)) return undefined;
  const index = Number(token);
  return index < length || (forAdd && index === length) ? index : undefined;
}

/** The value at `tokens`, or undefined (with found false) when there is none. */
function read(doc: unknown, tokens: readonly string[]): { found: boolean; value?: unknown } {
  let current = doc;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      const index = arrayIndex(token, current.length, false);
      if (index === undefined) return { found: false };
      current = current[index];
    } else if (isPlainObject(current)) {
      if (!Object.hasOwn(current, token)) return { found: false };
      current = current[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** The container holding the last token of `tokens` (tokens not empty), or undefined. */
function parentOf(doc: unknown, tokens: readonly string[]): Container | undefined {
  const parent = read(doc, tokens.slice(0, -1));
  if (!parent.found) return undefined;
  const p = parent.value;
  return Array.isArray(p) || isPlainObject(p) ? p : undefined;
}

type Refusal = { ok: false; problem: Problem };
type Step = { ok: true; doc: unknown } | Refusal;

const notFound = (at: string): Refusal => ({ ok: false, problem: problem('FHIR_PATCH_INVALID', at, 'the location does not exist in the resource') });

function addAt(doc: unknown, tokens: readonly string[], value: unknown, at: string): Step {
  if (tokens.length === 0) return { ok: true, doc: value };
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, true);
    if (index === undefined) return notFound(at);
    parent.splice(index, 0, value);
    return { ok: true, doc };
  }
  if (parent === undefined) return notFound(at);
  setMember(parent, last, value);
  return { ok: true, doc };
}

function removeAt(doc: unknown, tokens: readonly string[], at: string): { ok: true; doc: unknown; removed: unknown } | Refusal {
  if (tokens.length === 0) return { ok: false, problem: problem('FHIR_PATCH_INVALID', at, 'the whole resource cannot be removed') };
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, false);
    if (index === undefined) return notFound(at);
    const [removed] = parent.splice(index, 1);
    return { ok: true, doc, removed };
  }
  if (parent === undefined || !Object.hasOwn(parent, last)) return notFound(at);
  const removed = parent[last];
  delete parent[last];
  return { ok: true, doc, removed };
}

function replaceAt(doc: unknown, tokens: readonly string[], value: unknown, at: string): Step {
  if (tokens.length === 0) return { ok: true, doc: value };
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, false);
    if (index === undefined) return notFound(at);
    parent[index] = value;
    return { ok: true, doc };
  }
  if (parent === undefined || !Object.hasOwn(parent, last)) return notFound(at);
  setMember(parent, last, value);
  return { ok: true, doc };
}

function isProperPrefix(prefix: readonly string[], tokens: readonly string[]): boolean {
  return prefix.length < tokens.length && prefix.every((t, i) => t === tokens[i]);
}

function applyOne(doc: unknown, o: Operation, budget: { left: number }): Step {
  const at = `patch[${o.index}].path`;
  const spend = (value: unknown): Step | undefined => {
    budget.left -= countNodes(value, budget.left);
    return budget.left < 0 ? { ok: false, problem: problem('FHIR_PATCH_INVALID', `patch[${o.index}]`, 'the patch makes the resource too large') } : undefined;
  };
  switch (o.op) {
    case 'add':
      return spend(o.value) ?? addAt(doc, o.path, cloneJson(o.value), at);
    case 'remove': {
      const r = removeAt(doc, o.path, at);
      return r.ok ? { ok: true, doc: r.doc } : r;
    }
    case 'replace':
      return spend(o.value) ?? replaceAt(doc, o.path, cloneJson(o.value), at);
    case 'test': {
      const found = read(doc, o.path);
      if (!found.found) return notFound(at);
      return jsonEqual(found.value, o.value) ? { ok: true, doc } : { ok: false, problem: problem('FHIR_PATCH_TEST_FAILED', at, 'the value is not the one the test expects') };
    }
    case 'copy': {
      const found = read(doc, o.from!);
      if (!found.found) return notFound(`patch[${o.index}].from`);
      return spend(found.value) ?? addAt(doc, o.path, cloneJson(found.value), at);
    }
    case 'move': {
      if (isProperPrefix(o.from!, o.path)) return { ok: false, problem: problem('FHIR_PATCH_INVALID', at, 'a value cannot be moved into one of its own children') };
      const found = read(doc, o.from!);
      if (!found.found) return notFound(`patch[${o.index}].from`);
      if (o.from!.length === o.path.length && o.from!.every((t, i) => t === o.path[i])) return { ok: true, doc };
      const removed = removeAt(doc, o.from!, `patch[${o.index}].from`);
      if (!removed.ok) return removed;
      return addAt(removed.doc, o.path, removed.removed, at);
    }
  }
}

/**
 * `doc` with `patch` (RFC 6902) applied, or the problems: every malformed operation, else the first one that does
 * not apply. `doc` is not changed.
 */
export function applyJsonPatch(doc: unknown, patch: unknown): Result<unknown> {
  const operations = readOperations(patch);
  if (!operations.ok) return operations;
  let current = cloneJson(doc);
  const budget = { left: JSON_PATCH_LIMITS.maxAddedNodes };
  for (const o of operations.value) {
    const step = applyOne(current, o, budget);
    if (!step.ok) return fail(step.problem);
    current = step.doc;
  }
  return ok(current);
}
