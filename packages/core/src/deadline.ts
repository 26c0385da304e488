/**
 * Deadlines: the timeouts of platform calls and of logins, cheaper than one Node timer each. A
 * login sets two or three of them and clears them all within milliseconds, so their cost is the
 * setting and clearing, not the firing. Every deadline of one length joins a queue kept in the
 * order the deadlines were set — which, on a monotonic clock, is the order they fall due — behind
 * one Node timer armed for its head: setting a deadline is an append, clearing it an unlink, and
 * no Timeout object is made per deadline.
 *
 * A queue's timer is ref'd while the queue has a deadline (a pending call keeps the process alive
 * until its timeout, as a timer of its own would) and unref'd when it empties; it is left armed,
 * so the next deadline of that length costs no new timer.
 */
import { performance } from 'node:perf_hooks';

/** Something with a deadline: `arm(ms)` sets it, `disarm()` clears it, `expire()` runs when it falls due. */
export abstract class Deadline {
  /** @internal when this falls due (performance.now() ms) */
  due = 0;
  /** @internal the queue it is in, while armed */
  queue?: DeadlineQueue;
  /** @internal neighbours in the queue */
  prev?: Deadline;
  /** @internal */
  next?: Deadline;

  /** Runs once, when the deadline falls due (unless it was cleared first). */
  protected abstract expire(): void;

  /** Fall due in `ms` milliseconds (at least 1). A deadline already armed is moved. */
  arm(ms: number): void {
    if (this.queue) this.queue.remove(this);
    const at = ms >= 1 ? ms : 1;
    queueFor(at).add(this, performance.now() + at);
  }

  /** Clear the deadline (nothing happens if it is not armed). */
  disarm(): void {
    if (this.queue) this.queue.remove(this);
  }
}

/** The deadlines of one length, in the order they fall due, behind one Node timer. */
class DeadlineQueue {
  private head?: Deadline;
  private tail?: Deadline;
  private timer?: NodeJS.Timeout;
  /** The timer is armed for this time (performance.now() ms). */
  private timerDue = Infinity;

  constructor(readonly ms: number) {}

  add(d: Deadline, due: number): void {
    d.due = due;
    d.queue = this;
    d.next = undefined;
    d.prev = this.tail;
    if (this.tail) this.tail.next = d;
    else {
      this.head = d;
      // the timer left armed for an earlier head falls due no later than this one; it re-arms
      // (to the millisecond, as Node's timers are)
      if (this.timer && this.timerDue <= due + 1) this.timer.ref();
      else this.schedule(due - performance.now());
    }
    this.tail = d;
  }

  remove(d: Deadline): void {
    if (d.prev) d.prev.next = d.next;
    else this.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.tail = d.prev;
    d.queue = d.prev = d.next = undefined;
    // empty: the armed timer no longer keeps the process alive
    if (!this.head) this.timer?.unref();
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    const at = Math.max(1, Math.ceil(ms));
    this.timerDue = performance.now() + at;
    this.timer = setTimeout(DeadlineQueue.run, at, this);
  }

  /** The timer: every deadline due now fires (in order), then the timer is armed for the next. */
  private static run(queue: DeadlineQueue): void {
    queue.timer = undefined;
    queue.timerDue = Infinity;
    const now = performance.now();
    try {
      let d = queue.head;
      while (d && d.due <= now) {
        queue.remove(d);
        // (the queue is this module's own: it may call the protected step)
        d['expire']();
        d = queue.head;
      }
    } finally {
      // (also after a throw out of one expire: the deadlines after it still fall due)
      if (queue.head) queue.schedule(queue.head.due - performance.now());
      else retire(queue);
    }
  }
}

/** One queue per length in use; a queue leaves when its timer finds it empty. */
const queues = new Map<number, DeadlineQueue>();
/** The last two queues used (a login's length and its calls' length), looked up without the map. */
let recent: DeadlineQueue | undefined;
let before: DeadlineQueue | undefined;

function queueFor(ms: number): DeadlineQueue {
  if (recent?.ms === ms) return recent;
  if (before?.ms === ms) {
    const q = before;
    before = recent;
    recent = q;
    return q;
  }
  let q = queues.get(ms);
  if (!q) queues.set(ms, (q = new DeadlineQueue(ms)));
  before = recent;
  recent = q;
  return q;
}

/** A queue found empty by its timer leaves (and the lookup forgets it). */
function retire(q: DeadlineQueue): void {
  if (queues.get(q.ms) === q) queues.delete(q.ms);
  if (recent === q) recent = undefined;
  if (before === q) before = undefined;
}
