// Linux errno values, from include/uapi/asm-generic/errno-base.h and errno.h
// (RISC-V uses the generic numbers). Handlers return -errno.
export const EPERM = 1;
export const ENOENT = 2;
export const EIO = 5;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ESPIPE = 29;
export const ERANGE = 34;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
