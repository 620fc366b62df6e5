import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Brings dist/ up to date with src/ before any test runs (vitest globalSetup), the way `npm run build` does:
 * `tsc --build` compiles only what changed and nothing at all when dist/ is current.
 */
export default function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--build', 'tsconfig.build.json'], { stdio: 'inherit' });
}
