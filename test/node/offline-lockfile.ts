// A package-lock.json for a throwaway project that installs this repo's packed tarballs: the tarballs' dependencies
// pinned to the versions (and integrity hashes) of the repo's own lockfile. `npm ci` then installs from the npm cache,
// which the repo's own `npm ci` filled, without asking the registry to resolve a single range.

/** One entry of a lockfile's `packages` map (lockfileVersion 3), as far as this module reads it. */
export interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  [field: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** What a lockfile records of a package from its package.json: `npm ci` links the commands named in `bin`. */
export interface Manifest {
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

/** A packed tarball to install, and where its package lives in the repo's lockfile ('' for the root package). */
export interface Tarball {
  name: string;
  manifest: Manifest;
  /** The tarball as the project's package.json names it: `file:../tarballs/x-1.0.0.tgz`. */
  spec: string;
  integrity: string;
  repoLocation: string;
}

/** The folder whose node_modules holds `location`'s own dependencies next: `a/node_modules/b` → `a`. */
function parentOf(location: string): string | undefined {
  if (location === '') return undefined;
  const cut = location.lastIndexOf('node_modules/');
  // A workspace (`packages/x`) resolves from the repo's root next.
  return cut <= 0 ? '' : location.slice(0, cut - 1);
}

/** Where Node's resolution finds `name` from `location` in the repo's tree: the nearest node_modules that has it. */
function resolve(lock: Lockfile, location: string, name: string): string | undefined {
  for (let at: string | undefined = location; at !== undefined; at = parentOf(at)) {
    const candidate = `${at === '' ? '' : `${at}/`}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
  }
  return undefined;
}

/** The dependencies npm installs for an entry: its own, its optional ones where locked, its required peers. */
function needs(
  entry: Pick<LockEntry, 'dependencies' | 'optionalDependencies' | 'peerDependencies' | 'peerDependenciesMeta'>,
): { name: string; optional: boolean }[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !entry.peerDependenciesMeta?.[name]?.optional);
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...peers.map((name) => ({ name, optional: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
  ];
}

/**
 * The lockfile of a project named `name` whose only dependencies are `tarballs`. Every package they need is copied
 * from `repo` with its place in the tree: a subset of a valid tree resolves each name to the same entry, since no
 * entry that resolution would have met first is ever left out. A tarball's dependencies nested in the repo under its
 * workspace folder move under its folder in the project's node_modules.
 */
export function lockfileFor(repo: Lockfile, name: string, tarballs: Tarball[]): Lockfile {
  const packages: Record<string, LockEntry> = {
    '': { name, version: '1.0.0', dependencies: Object.fromEntries(tarballs.map((tarball) => [tarball.name, tarball.spec])) },
  };
  for (const tarball of tarballs) {
    const home = `node_modules/${tarball.name}`;
    const { version, license, dependencies, bin, engines } = tarball.manifest;
    packages[home] = { version, resolved: tarball.spec, integrity: tarball.integrity, license, dependencies, bin, engines };
    const moved = (location: string) =>
      tarball.repoLocation !== '' && location.startsWith(`${tarball.repoLocation}/`) ? `${home}${location.slice(tarball.repoLocation.length)}` : location;
    const queue: [string, { name: string; optional: boolean }[]][] = [[tarball.repoLocation, needs(tarball.manifest)]];
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [from, wanted] = next;
      for (const dependency of wanted) {
        const found = resolve(repo, from, dependency.name);
        if (!found) {
          if (dependency.optional) continue;
          throw new Error(`${dependency.name}, needed by ${from || 'the root'}, is not in the repo's lockfile`);
        }
        const target = moved(found);
        if (packages[target]) continue;
        const { dev: _dev, devOptional: _devOptional, ...copy } = repo.packages[found]!;
        packages[target] = copy;
        queue.push([found, needs(copy)]);
      }
    }
  }
  return { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}
