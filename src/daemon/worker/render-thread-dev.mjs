// The render thread when area runs from its TypeScript sources (tests, bin/dev.js): loader hooks of
// the parent do not reach worker threads, so the thread registers tsx (a dev dependency) itself.
// Built code loads render-thread.js directly (render-pool.ts).
import { register } from 'tsx/esm/api'

register()
export default (await import('./render-thread.ts')).default
