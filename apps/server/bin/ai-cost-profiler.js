#!/usr/bin/env node
// Loads the TypeScript CLI through tsx in this process, so the server needs no build step.
import { register } from 'tsx/esm/api'

register()
const { runCliProcess } = await import('../src/cli/main.ts')
await runCliProcess(process.argv.slice(2))
