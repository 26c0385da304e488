/**
 * The flow context: what one login (or one API call) carries through every platform call made for
 * it — the credentials it handles, redacted by value from the errors it ends with, and its overall
 * deadline, which bounds every call made in it. It is passed explicitly: a strategy's flow gets
 * one from CampusStrategy and makes its calls through `client.within(context)` (or with
 * `context` on a transport request). No AsyncLocalStorage: on Node 20 one enabled anywhere puts
 * async hooks on every promise and native callback of the whole process.
 */

/** Something that knows secret values and produces them when asked (only if an error is built). */
export interface SecretHolder {
  secretValues(): Iterable<string>;
}

/** A secret value, or a function or holder producing them (asked only if an error is built). */
export type SecretSource = string | (() => Iterable<string>) | SecretHolder;

export class FlowContext {
  private readonly sources: SecretSource[] = [];
  private over = false;

  /** @param deadline epoch ms by which the whole flow must end (real time); none when undefined. */
  constructor(readonly deadline?: number) {}

  /** Credential values (or functions / holders producing them, asked only if an error is built) of this flow. */
  addSecrets(...sources: SecretSource[]): void {
    for (const s of sources) if (s) this.sources.push(s);
  }

  /** One source, as the transport adds each call (no rest array per call). */
  addSecret(source: SecretSource): void {
    this.sources.push(source);
  }

  /** Every secret value of this flow (materialized now). */
  secrets(): string[] {
    const out: string[] = [];
    for (const s of this.sources) {
      if (typeof s === 'string') out.push(s);
      else for (const v of typeof s === 'function' ? s() : s.secretValues()) out.push(v);
    }
    return out;
  }

  /** Milliseconds left before the deadline; `undefined` when there is none. */
  timeLeft(): number | undefined {
    return this.deadline === undefined ? undefined : this.deadline - Date.now();
  }

  /** The flow has ended (answered, or past its deadline): no further call starts in it. */
  end(): void {
    this.over = true;
  }

  get ended(): boolean {
    return this.over;
  }
}
