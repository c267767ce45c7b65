// The shared memory layout of a systab table. This file is compiled by both
// AssemblyScript (the core) and TypeScript (the API), so it holds plain
// integer constants only. All offsets are in 32-bit words unless named *_BYTES.
//
// The regions, in order (each one's offset is derived from the header's
// sizes alone: slotsAt() ... asyncAtBytes() in index.ts):
//   header            HEADER_WORDS words (H_*)
//   slot words        H_SLOTS words, one per slot (main range first)
//   handler records   H_MAXH x HR_WORDS words (HR_*; id 0 is never used)
//   module records    H_MAXM x MR_WORDS words (MR_*; id 0 is never used)
//   worker records    H_MAXW x WR_WORDS words (WR_*)
//   counters          H_MAXW stripes of H_SLOTS x C_WORDS words (C_*), one stripe per worker
//   (one pad word if needed: the call records' f64 fields are 8-byte aligned)
//   carried-call records  H_MAXW x H_CALLS records of CR_WORDS words (CR_*), each worker's outgoing calls
//   resolution bytes  H_MAXW rows of H_MAXH bytes (RK_*): what the core's dispatch may call directly
//   async bytes       H_MAXW rows of H_MAXH bytes: 1 while that worker has a promise of that handler pending
//   reasons           H_SLOTS bytes, one per slot (PR_*): why its HOOK_TRACE and HOOK_COUNT bits are on
//   (padding to a multiple of 8 bytes: H_BYTES)

export const MAGIC = 0x53595354; // 'SYST'
export const LAYOUT_VERSION = 6;

// Header words.
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_ABI = 2; // hash of the ABI id
export const H_SLOTS = 3; // all slots: main range + extra ranges
export const H_BASE = 4; // number of slot 0
export const H_MAIN = 5; // slots in the main (fast) range
export const H_MAXH = 6; // handler records
export const H_MAXM = 7; // module records
export const H_MAXW = 8; // worker records
export const H_STATE = 9; // 0 empty, 1 initialising, 2 ready
export const H_GP = 10; // grace-period counter, only ever increases
export const H_CHANGES = 11; // bumped on every slot word change (handler, hook switch, policy)
export const H_LOCK = 12; // writer lock: 0 free, else worker index + 1
export const H_ENOSYS = 13; // the ABI's ENOSYS in its convention
export const H_NEXTH = 14; // handler allocation cursor
export const H_BYTES = 15; // total bytes of the layout
export const H_OOR_COUNT = 16; // 1: out-of-range calls are counted (the count switch of hooks('*'))
export const H_CALLS = 17; // carried-call records per worker
export const H_ORPHANS = 18; // bit 1: a thread left (close, evict) with retired handlers or an unload unfinished; bit 2: a writer died holding the lock (its change may be half made): the next writer adopts and repairs
export const ORPHANS_LEFT = 1;
export const ORPHANS_LOCK_LOST = 2;
export const ORPHANS_ALL = ORPHANS_LEFT | ORPHANS_LOCK_LOST;
export const H_LEASE_ID = 19; // a random id the creator writes: the table's part of each thread's Web Lock name (lease.ts)
export const H_TRACE = 20; // who made the table's trace (systab/trace's claim.ts): its worker record + 1 | its claim generation << 11; 0: none
export const H_FILTERED = 21; // table-wide seccomp filters installed now (systab/seccomp): a thread that has not joined them is refused numbers beyond the table too
export const HEADER_WORDS = 22; // even, so the f64 fields of call records stay 8-byte aligned

export const STATE_EMPTY = 0;
export const STATE_INIT = 1; // one instance won the header CAS and is writing the layout
export const STATE_READY = 2;

// Limits of the header's sizes (createTable() checks its options against
// them, verify() the header). Handler ids are limited by ID_MASK.
export const SLOTS_MAX = 1 << 20;
export const MODULES_MAX = 1 << 16;
export const WORKERS_MAX = 1024;
export const HANDLERS_MIN = 2; // id 0 is never used
export const MODULES_MIN = 2;

// Units: a word is 4 bytes, a page 64 KiB; the layout's total is a multiple of 8 bytes.
export const WORD_SHIFT = 2;
export const PAGE_SHIFT = 16;
export const LAYOUT_ALIGN_BYTES = 8;
// The per-worker byte rows after the call records: resolution bytes and async bytes.
export const BYTE_ROWS = 2;

// An error result in the negative convention: -ERRNO_MAX..-1.
export const ERRNO_MAX = 4095;

// How a thread's hot paths (JS and the core's dispatch) treat out-of-range
// numbers: only with one range and the default policy are they answered there.
export const OOR_SLOW = 0; // not there: the JS slow path
export const OOR_ANSWER = 1; // answer ENOSYS
export const OOR_COUNT = 2; // count (the count switch of '*') and answer

// Slot word: handler id | hook bits | slow bit | missing-call policy | generation.
// One read of it is one state of the slot: handler, switches and policy together.
export const ID_MASK = 0xffff;
export const HOOK_COUNT = 1 << 16; // the count switch: on exactly while a PR_COUNTS reason is (plugSet owns it)
export const HOOK_ENTER = 1 << 17;
export const HOOK_EXIT = 1 << 18;
export const HOOK_TRACE = 1 << 19; // a plug wants the slot: routes to the slow path; on exactly while a PR_PLUGS reason is (plugSet owns it)
export const HOOK_MASK = 0xf0000;
export const SLOW = 1 << 20; // the handler needs the slow path (stub)
export const POLICY_SHIFT = 21;
export const POLICY_MASK = 7 << 21; // the slot's missing-call policy (below); nonzero: not plain ENOSYS
export const FAST_MASK = 0xffffff; // id | hooks | slow | policy: nonzero high part -> slow path
export const GEN_SHIFT = 24;
export const GEN_MASK = 0xff000000;

// Reasons byte, per slot: which owners want the slot's switches (a byte, not a
// word: the default table keeps to 6 pages). The low six bits route the slot to
// a plug (its HOOK_TRACE bit is on exactly while one is); the high two keep its
// count switch (HOOK_COUNT) on: hooks()' own, and the trace's summary.
export const PR_REASONS = 0xff;
export const PR_PLUGS = 0x3f;
export const PR_TRACE = 1;
export const PR_SECCOMP = 2;
export const PR_THREAD = 4; // some thread's own seccomp filter (systab/seccomp's per-thread chains count them per slot)
export const PR_COUNTS = 0xc0;
export const PR_COUNT_HOOKS = 0x40; // hooks({ count: true })
export const PR_COUNT_SUMMARY = 0x80; // the trace's summary (strace -c) counts the slot

// While a thread samples call times (the trace's summary), its counted paths
// time a slot's first SAMPLE_FIRST calls on the thread, then about one call in
// SAMPLE_EVERY (a random countdown, so no call pattern aliases with it).
export const SAMPLE_FIRST = 16;
export const SAMPLE_EVERY = 64;

// Missing-call policies, in the slot word's policy bits.
export const POLICY_ENOSYS = 0;
export const POLICY_THROW = 1;
export const POLICY_TRAP = 2;
export const POLICY_LOG_ONCE = 3;
export const POLICY_LOGGED = 4; // log-once after it has logged

// Handler record (8 words).
export const HR_WORDS = 8;
export const HR_STATE = 0; // FREE, LIVE, GOING
export const HR_KIND = 1;
export const HR_MODULE = 2;
export const HR_SLOT = 3;
export const HR_BELOW = 4; // handler id below this one (wraps, stubs), 0 none
export const HR_HOME = 5; // worker index whose code runs this handler
export const HR_HOMEGEN = 6; // that worker record's claim generation (WR_GEN) at the load: a record claimed anew since is not its home
export const HR_GEN = 7; // bumped at each allocation

export const HS_FREE = 0;
export const HS_LIVE = 1;
export const HS_GOING = 2; // out of every slot, waiting for a grace period; the state word's
// bits 8.. hold the retiring worker's index + 1, so evict() can finish what a dead writer began
// (0 there: an orphan, left by a thread that is gone, for the next writer to adopt)
export const HS_MASK = 0xff;
export const HS_BY_SHIFT = 8;

export const HK_JS = 1;
export const HK_WASM = 2;
export const HK_STUB = 4; // a reservation
export const HK_WRAP = 8;
export const HK_BIGINT = 16;
export const HK_UNLOAD = 32; // with HK_STUB: holds a slot while its module's unload waits for a grace period
export const HK_ALL = 63;

// Module record (16 words).
export const MR_WORDS = 16;
export const MR_STATE = 0; // FREE, CLAIMED, LIVE
export const MR_GEN = 1;
export const MR_HOME = 2; // worker + 1 while loaded, -(worker + 1) while that worker unloads it (MR_ORPHAN: its unloader is gone), 0 otherwise
export const MR_ORPHAN = -0x10000;
export const MR_NAMELEN = 3;
export const MR_SECRET = 4; // 2 words of random: what an owner token proves
export const MR_NAME = 6; // 10 words: up to 40 bytes of UTF-8
export const NAME_MAX_BYTES = 40;

export const MS_FREE = 0;
export const MS_CLAIMED = 1; // being written by its claimer
export const MS_LIVE = 2;

// Worker record (16 words).
export const WR_WORDS = 16;
export const WR_STATE = 0; // FREE, ONLINE, OFFLINE
export const WR_QS = 1; // last grace period this worker has passed
export const WR_WAKE = 2; // the worker's doorbell: bumped for a grace period, a carried call, or its reply
export const WR_DEPTH = 3; // calls in progress on this worker (written by it alone)
export const WR_OOR = 4; // out-of-range calls seen by this worker
export const WR_ID = 5; // the embedder's id for the thread (Node: threadId), for evict()
export const WR_GEN = 6; // bumped at each claim and release: a carried call's home is this record and this generation
export const WR_LEASE = 7; // 1 once the thread holds its Web Lock lease (lease.ts); 0 where it has none
export const WR_DYING = 8; // the claim generation a terminate() was asked for (Node): calls are no longer posted to it

export const WS_FREE = 0;
export const WS_ONLINE = 1;
export const WS_OFFLINE = 2;

// Counters: per worker, per slot, 3 words.
export const C_CALLS = 0;
export const C_ERRORS = 1;
export const C_ENOSYS = 2;
export const C_WORDS = 3;

// Carried calls: per worker, H_CALLS outgoing call records (createTable's callRecords).
export const CALLS_DEFAULT = 16;
export const CALLS_MAX = 256;
export const CR_WORDS = 20;
export const CR_STATE = 0;
export const CR_TARGET = 1; // worker index that runs it
export const CR_HANDLER = 2;
export const CR_NR = 3;
export const CR_ERR = 4; // 0 ok, else a CE_* code
export const CR_GEN = 5; // the home's claim generation when posted: a record whose home has gone since holds nothing
export const CR_ARGS = 6; // 6 f64 (12 words), 8-byte aligned
export const CR_RESULT = 18; // 1 f64
export const CS_FREE = 0;
export const CS_FILLING = 1; // the caller is writing it
export const CS_POSTED = 2;
export const CS_TAKEN = 3; // the home worker runs it
export const CS_DONE = 4;
export const CS_ABANDONED = 5; // the caller gave up while it ran
export const CE_OK = 0;
export const CE_THREW = 1;
export const CE_NOCODE = 2;
export const CE_BADRESULT = 3;

// Async bytes: per worker, per handler id: 1 while that worker has a promise
// of that handler pending (written by that worker alone; a freed worker's are
// ignored, so a terminated thread's pending promises hold no unload back).

// Wasm resolution bytes: per worker, per handler id.
export const RK_NONE = 0;
export const RK_WASM = 1; // the core's table holds the handler at its id
export const RK_JS = 2; // call js_call with f64 arguments
export const RK_JS64 = 3; // call js_call64 with i64 arguments

// verify() error codes (returned as code << V_CODE_SHIFT | index).
export const V_OK = 0;
export const V_HEADER = 1;
export const V_SLOT_ID = 2;
export const V_SLOT_BITS = 3;
export const V_SLOT_HANDLER = 4;
export const V_HANDLER_STATE = 5;
export const V_HANDLER_MODULE = 6;
export const V_HANDLER_BELOW = 7;
export const V_HANDLER_REFS = 8;
export const V_MODULE = 9;
export const V_WORKER = 10;
export const V_POLICY = 11;
export const V_CALL = 12;
export const V_PLUG = 13;
export const V_CODE_SHIFT = 24;
export const V_INDEX_MASK = 0xffffff;
