// systab/seccomp/oci: OCI runtime-spec (and Docker) seccomp profiles,
// compiled to cBPF with libseccomp's semantics as runc uses it, and loaded on
// tables through filterTable(). An entry of its own: a table filtered by
// programs alone does not download the profile compiler.
export { compileProfile, BAD_ARCH_ACTION } from './compile.js';
export type { CompileOptions, ProfileAbi } from './compile.js';
export { filterProfile } from './profile-table.js';
export type { ProfileOptions } from './profile-table.js';
export { profileAbiIds } from './profile.js';
export type { ProfileClaims } from './profile.js';
export { ociArchs, dockerArchNames } from './oci-arch.js';
export type { OciArch } from './oci-arch.js';
