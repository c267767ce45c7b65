// An OCI seccomp profile on a table: compiled for the table's ABI, then
// installed through filterTable(), so threads that attachFilter() and stack()
// work as for any program.
import { SystabError } from '../errors.js';
import { show } from '../handlers.js';
import { compileProfile } from './compile.js';
import type { ProfileClaims } from './profile.js';
import { filterTable, type FilterOptions, type TableFilter } from './table.js';

export interface ProfileOptions extends FilterOptions, ProfileClaims {}

/** The table filterTable() takes (named through it: only src/seccomp/table.ts imports the Table). */
type FilteredTable = Parameters<typeof filterTable>[0];

/** Loads an OCI / Docker seccomp profile on table `t` (compileProfile for t's ABI, then filterTable). */
export function filterProfile(t: FilteredTable, profile: unknown, options: ProfileOptions = {}): TableFilter {
  if (options === null || typeof options !== 'object') throw new SystabError('EBADSPEC', `filterProfile() options must be an object (got ${show(options)})`);
  const { caps, kernel, ...rest } = options;
  const claims: ProfileClaims = {};
  if (caps !== undefined) claims.caps = caps;
  if (kernel !== undefined) claims.kernel = kernel;
  const program = compileProfile(profile, { abi: t.abi, ...claims });
  return filterTable(t, [program], rest);
}
