// The thread group: what every guest thread of one process shares, in one
// small SharedArrayBuffer beside the guest memory: whether exit_group has
// ended the process (and its code), the next thread id, and the live
// threads' ids (for tgkill and the count that ends the process).
export const G_EXITING = 0; // 0 running; 1 exit_group or a fatal signal ended the process
export const G_CODE = 1; // the process's exit code once G_EXITING (or the leader's, from its exit)
export const G_NEXT_TID = 2;
export const G_LIVE = 3; // live guest threads
export const G_SPAWN = 4; // clone requests posted to the leader and not yet taken
export const G_BELL = 5; // rung (incremented, notified) when a thread ends or posts a request
export const G_LEADER_WAIT = 6; // where the leader blocks: 0 nowhere, i + 1 guest word i, -(j + 1) this group's word j
export const G_NUDGE = 7; // counts calls about to be carried to the leader (it looks for them when this moves)
export const G_NAP = 8; // the word sleeps wait on (nobody changes it; a nudge may wake it)
export const G_TRAMP = 9; // the address of the signal return trampoline (li a7, 139; ecall)
const G_TIDS = 16; // MAX_THREADS words: a live thread's id, or 0

/** Live guest threads at once (each is a worker; systab's maxWorkers is set above this). */
export const MAX_THREADS = 64;

/** epoll instances (epoll.ts): EPOLL_SETS sets of EPOLL_ENTRIES watched descriptors, after the thread ids. */
export const EPOLL_SETS = 4, EPOLL_ENTRIES = 8, EPOLL_ENTRY_WORDS = 5;
export const EPOLL_SET_WORDS = 2 + EPOLL_ENTRIES * EPOLL_ENTRY_WORDS; // epfd + 1 (0: free), seq, entries
export const G_EPOLL = G_TIDS + MAX_THREADS;
/** Signal actions, process-wide: 64 signals of 6 words (the kernel's struct sigaction: handler, flags, mask). */
export const G_SIGACT = G_EPOLL + EPOLL_SETS * EPOLL_SET_WORDS;
/** Pending signals: two words per thread, by the thread's slot in the id table. */
export const G_PENDING = G_SIGACT + 64 * 6;
const G_INSTRET = (G_PENDING + MAX_THREADS * 2 + 1) & ~1; // two words, 8-aligned: instructions of the threads that ended
const WORDS = G_INSTRET + 2;

export class ThreadGroup {
  readonly w: Int32Array;

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(WORDS * 4)) {
    this.w = new Int32Array(sab);
  }

  /** The first thread's record (the leader's id is the pid). */
  static create(pid: number): ThreadGroup {
    const g = new ThreadGroup();
    g.w[G_NEXT_TID] = pid + 1;
    g.w[G_LIVE] = 1;
    g.w[G_TIDS] = pid;
    return g;
  }

  /** Counts a finished thread's instructions (for --perf). */
  addInstructions(n: number): void {
    Atomics.add(new BigInt64Array(this.sab, G_INSTRET * 4, 1), 0, BigInt(n));
  }

  /** Instructions of every thread that has ended (the leader's are its CPU's). */
  instructions(): number {
    return Number(Atomics.load(new BigInt64Array(this.sab, G_INSTRET * 4, 1), 0));
  }

  get exiting(): boolean { return Atomics.load(this.w, G_EXITING) !== 0; }
  get live(): number { return Atomics.load(this.w, G_LIVE); }

  /** Records a new thread's id; false when MAX_THREADS are alive. */
  add(): number {
    for (let i = 0; i < MAX_THREADS; i++) {
      if (Atomics.load(this.w, G_TIDS + i) !== 0) continue;
      const tid = Atomics.add(this.w, G_NEXT_TID, 1);
      if (Atomics.compareExchange(this.w, G_TIDS + i, 0, tid) === 0) {
        Atomics.add(this.w, G_LIVE, 1);
        return tid;
      }
    }
    return -1;
  }

  alive(tid: number): boolean {
    return this.slot(tid) >= 0;
  }

  /** The thread's index in the id table (its pending-signal words), or -1. */
  slot(tid: number): number {
    for (let i = 0; i < MAX_THREADS; i++) if (Atomics.load(this.w, G_TIDS + i) === tid) return i;
    return -1;
  }

  /** Marks signal sig pending for the thread in slot i. */
  raise(i: number, sig: number): void {
    Atomics.or(this.w, G_PENDING + 2 * i + (sig > 32 ? 1 : 0), 1 << ((sig - 1) & 31));
  }

  /** Thread tid has ended; returns the threads still alive. */
  remove(tid: number): number {
    for (let i = 0; i < MAX_THREADS; i++) {
      if (Atomics.compareExchange(this.w, G_TIDS + i, tid, 0) !== tid) continue;
      Atomics.store(this.w, G_PENDING + 2 * i, 0); // a later thread in this slot starts with none pending
      Atomics.store(this.w, G_PENDING + 2 * i + 1, 0);
      break;
    }
    const left = Atomics.sub(this.w, G_LIVE, 1) - 1;
    this.ring();
    return left;
  }

  /** Ends the process with code (the first caller wins); false when it was already ending. */
  endAll(code: number): boolean {
    if (Atomics.compareExchange(this.w, G_EXITING, 0, 1) !== 0) return false;
    Atomics.store(this.w, G_CODE, code);
    this.ring();
    return true;
  }

  /**
   * Announces a call about to be carried to the leader, and wakes the
   * leader if it is blocked (the call itself cannot wake a wait on a guest
   * word). mem32: the guest memory's words.
   */
  nudge(mem32: Int32Array): void {
    Atomics.add(this.w, G_NUDGE, 1);
    const w = Atomics.load(this.w, G_LEADER_WAIT);
    if (w > 0) Atomics.notify(mem32, w - 1); else if (w < 0) Atomics.notify(this.w, -w - 1);
  }

  ring(): void {
    Atomics.add(this.w, G_BELL, 1);
    Atomics.notify(this.w, G_BELL);
  }
}
