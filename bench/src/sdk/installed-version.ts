import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** `name@version` of a package as installed, found from its entry point (many do not export `package.json`). */
export function installedVersion(packageName: string): string {
  for (
    let folder = dirname(require.resolve(packageName));
    folder !== dirname(folder);
    folder = dirname(folder)
  ) {
    const manifestPath = join(folder, 'package.json')
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { name?: string; version?: string }
    if (manifest.name === packageName) return `${packageName}@${manifest.version}`
  }
  throw new Error(`cannot find the package.json of ${packageName}`)
}
