/**
 * The flow context: what one login (or one API call) carries through every await without being
 * passed along — the credentials it handles, redacted by value from every error built inside it,
 * and its overall deadline, which bounds every platform call made inside it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type SecretSource = string | (() => Iterable<string>);

interface FlowContext {
  secrets: SecretSource[];
  /** Epoch ms by which the whole flow must end (real time). */
  deadline?: number;
}

const storage = new AsyncLocalStorage<FlowContext>();

/**
 * Run `fn` in a secret scope (a login, one API call): every value added with `addSecrets()` inside
 * it — directly or by the transport, which adds each request's credentials — is redacted from
 * every CampusAuthError built inside it. Nested scopes share their parent's context.
 */
export function withSecretScope<T>(fn: () => T, options: { deadline?: number } = {}): T {
  const parent = storage.getStore();
  if (parent && options.deadline === undefined) return fn();
  const deadline =
    parent?.deadline !== undefined && options.deadline !== undefined
      ? Math.min(parent.deadline, options.deadline)
      : (options.deadline ?? parent?.deadline);
  return storage.run({ secrets: parent?.secrets ?? [], deadline }, fn);
}

/**
 * Add credential values (or a function producing them, called only if an error is built) to the
 * current secret scope. No-op outside a scope.
 */
export function addSecrets(...sources: SecretSource[]): void {
  const ctx = storage.getStore();
  if (ctx) for (const s of sources) if (s) ctx.secrets.push(s);
}

/** Every secret value of the current scope (materialized now). */
export function scopeSecrets(): string[] {
  const list = storage.getStore()?.secrets;
  if (!list || list.length === 0) return [];
  const out: string[] = [];
  for (const s of list) {
    if (typeof s === 'string') out.push(s);
    else for (const v of s()) out.push(v);
  }
  return out;
}

/**
 * What a platform call does on entering: its secrets (a function, called only if an error is
 * built) join the current scope, and it learns the ms left before the flow's deadline — one
 * lookup of the context for both. `undefined`: no deadline (or no scope).
 */
export function enterCall(secrets: () => Iterable<string>): number | undefined {
  const ctx = storage.getStore();
  if (!ctx) return undefined;
  ctx.secrets.push(secrets);
  return ctx.deadline === undefined ? undefined : ctx.deadline - Date.now();
}

/** Milliseconds left before the current flow's deadline; `undefined` when it has none. */
export function flowTimeLeft(): number | undefined {
  const deadline = storage.getStore()?.deadline;
  return deadline === undefined ? undefined : deadline - Date.now();
}
