// Global set-up of the browser tier: makes sure a production build exists (the same check
// `npm start` makes), so each test starts servers quickly with `npm start`.
import { spawnSync } from 'node:child_process';
import { buildIsStale } from '@/server/cli/build-freshness';
import { chromiumPath } from './chromium';

export default function setup() {
  if (!chromiumPath()) throw new Error('Chromium not found at /usr/bin/chromium (apt-get install chromium)');
  if (buildIsStale()) {
    console.log('[e2e] building the app with next build…');
    const build = spawnSync('npx', ['next', 'build'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error(`next build failed with exit code ${build.status}`);
  }
}
