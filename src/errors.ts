/** Every error systab throws. `code` names the kind; messages are exact and documented. */
export type SystabErrorCode =
  | 'EBADNR' // a call number that is not an integer number
  | 'ENONAME' // a call name the ABI does not have
  | 'EBADHANDLER' // a handler that is not a function (or wasm function)
  | 'EBADSPEC' // a malformed load/reserve/hooks argument
  | 'EBADRESULT' // a handler returned something that is not a number
  | 'EBADARG' // an argument that cannot be passed exactly
  | 'EEXIST' // a module name loaded twice, a slot already taken
  | 'ENOTOWNER' // replacing or releasing a slot another module owns
  | 'ERESERVED' // filling a reservation held for another module
  | 'ENOTLOADED' // unloading twice, or through a stale handle
  | 'EFULL' // no free handler, module or worker record
  | 'EBUSY' // a change is already in progress in this thread
  | 'ETIMEDOUT' // a grace period or proxied call did not finish in time
  | 'EATTACH' // memory that is not a compatible systab table
  | 'ENOSYS' // the missing-call policy is 'throw'
  | 'EREMOTE' // a handler run in another worker for this call threw
  | 'ESECCOMP' // a seccomp filter trapped or killed the call (with no onTrap or onKill to answer it)
  | 'EASYNC' // a call whose answer is a promise, in a table made without async: true
  | 'ELAYOUT' // verify() found a broken invariant
  | 'EINVAL' // a seccomp filter the kernel refuses (its errno: EINVAL)
  | 'ENOMEM'; // a seccomp filter stack over the kernel's instruction limit (its errno: ENOMEM)

export class SystabError extends Error {
  readonly code: SystabErrorCode;
  constructor(code: SystabErrorCode, message: string) {
    super(message);
    this.name = 'SystabError';
    this.code = code;
  }
}
