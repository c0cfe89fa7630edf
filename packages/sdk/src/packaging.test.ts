import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const packageRoot = fileURLToPath(new URL('..', import.meta.url))
const tsupBin = join(packageRoot, '../../node_modules/tsup/dist/cli-default.js')
const tscBin = join(packageRoot, '../../node_modules/typescript/bin/tsc')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

let project: string

// Builds the package, packs it, and installs the tarball into a fresh project from the local npm
// cache, the way a user would get it; runs only where the build tool is installed.
describe.runIf(existsSync(tsupBin))('the packed package', () => {
  beforeAll(async () => {
    await run(process.execPath, [tsupBin], { cwd: packageRoot, timeout: 120_000 })
    project = await mkdtemp(join(tmpdir(), 'acp-sdk-pack-'))
    await run(npm, ['pack', '--pack-destination', project, '--silent'], { cwd: packageRoot, timeout: 60_000 })
    const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz'))
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    )
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], {
      cwd: project,
      timeout: 120_000,
    })
  }, 300_000)

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true })
  })

  it('ships only the build, with the core bundled in', async () => {
    const installed = join(project, 'node_modules/@ai-cost-profiler/sdk')
    const files = await readdir(installed)
    expect(files).toContain('dist')
    expect(files).toContain('LICENSE')
    expect(files).not.toContain('src')
    // The exports map names only shipped files under the conditions a user's runtime sets.
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(manifest.exports['.'] ?? {})).not.toContain('source')
    expect(existsSync(join(project, 'node_modules/@ai-cost-profiler/core'))).toBe(false)
    expect((await readdir(join(installed, 'dist'))).sort()).toEqual(
      expect.arrayContaining(['index.cjs', 'index.d.cts', 'index.d.ts', 'index.js']),
    )
  })

  it('works from import and from require', async () => {
    const script = (load: string) => `
      ${load}
      const profiler = createProfiler({ endpoint: 'http://127.0.0.1:1', apiKey: 'k', flushOnExit: false })
      const option = callContext({ userId: 'u' })
      if (!profiler.enabled || option.acp.userId !== 'u' || !ProfilerError.isInstance(new ProfilerError('INTERNAL_ERROR', 'x'))) process.exit(1)
      profiler.shutdown().then(() => console.log('ok'))
    `
    const esm = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script("import { createProfiler, callContext, ProfilerError } from '@ai-cost-profiler/sdk'"),
      ],
      { cwd: project },
    )
    const cjs = await run(
      process.execPath,
      [
        '--input-type=commonjs',
        '-e',
        script("const { createProfiler, callContext, ProfilerError } = require('@ai-cost-profiler/sdk')"),
      ],
      { cwd: project },
    )
    expect(esm.stdout.trim()).toBe('ok')
    expect(cjs.stdout.trim()).toBe('ok')
  })

  it('sends what it records from its send thread, from import and from require', async () => {
    // One server plays both OpenAI and the ingest API; the script prints what reached each.
    const script = (load: string) => `
      ${load}
      const http = require('node:http')
      const zlib = require('node:zlib')
      const stored = []
      const server = http.createServer((request, response) => {
        const parts = []
        request.on('data', (part) => parts.push(part))
        request.on('end', () => {
          if (request.url === '/v1/events') {
            const events = JSON.parse(zlib.gunzipSync(Buffer.concat(parts))).events
            stored.push(...events)
            response.writeHead(200, { 'content-type': 'application/json' })
            response.end(JSON.stringify({ accepted: events.length, duplicates: 0, errors: [] }))
            return
          }
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18',
            choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }))
        })
      })
      server.listen(0, '127.0.0.1', async () => {
        const base = 'http://127.0.0.1:' + server.address().port
        const errors = []
        const profiler = createProfiler({ endpoint: base, apiKey: 'k', onError: (error) => errors.push(error.code) })
        const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: base + '/v1', maxRetries: 0 }))
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        await profiler.shutdown()
        const { sent, failedBatches } = profiler.stats()
        console.log(JSON.stringify({ sent, failedBatches, errors, usage: stored[0]?.usage }))
        server.close()
      })
    `
    const openai = join(packageRoot, '../../node_modules/openai/index.js')
    const outputs = await Promise.all([
      run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          script(
            `import { createProfiler } from '@ai-cost-profiler/sdk'\nimport OpenAI from ${JSON.stringify(openai.replace(/index\.js$/, 'index.mjs'))}\nimport { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)`,
          ),
        ],
        { cwd: project, timeout: 30_000 },
      ),
      run(
        process.execPath,
        [
          '--input-type=commonjs',
          '-e',
          script(
            `const { createProfiler } = require('@ai-cost-profiler/sdk')\nconst OpenAI = require(${JSON.stringify(openai)}).default`,
          ),
        ],
        { cwd: project, timeout: 30_000 },
      ),
    ])
    for (const { stdout } of outputs) {
      expect(JSON.parse(stdout)).toEqual({
        sent: 1,
        failedBatches: 0,
        errors: [],
        usage: expect.objectContaining({ inputTokens: 12, outputTokens: 3 }),
      })
    }
  })

  it('type-checks for ESM and CommonJS consumers, declarations included', async () => {
    const source = `
      import { createProfiler, type Profiler, type ProfilerOptions } from '@ai-cost-profiler/sdk'
      const options: ProfilerOptions = { endpoint: 'https://acp.example.com', apiKey: 'k', batchSize: 50 }
      const profiler: Profiler = createProfiler(options)
      // Values that may be unset type-check under exactOptionalPropertyTypes too.
      createProfiler({ endpoint: process.env.ACP_ENDPOINT, apiKey: process.env.ACP_API_KEY })
      const client = profiler.wrap({ chat: 1 }, { userId: process.env.USER_ID })
      const check: { chat: number } = client
      // Inferred types a library exports must be nameable in its declaration files.
      export const stats = profiler.stats()
      export const delivery = () => ({ profiler, stats: profiler.stats(), circuit: profiler.stats().circuitState })
      export { check }
    `
    await writeFile(join(project, 'consumer.mts'), source)
    await writeFile(join(project, 'consumer.cts'), source)
    const result = await run(
      process.execPath,
      [
        tscBin,
        '--declaration',
        '--emitDeclarationOnly',
        '--outDir',
        join(project, 'declarations'),
        '--strict',
        '--exactOptionalPropertyTypes',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        '--typeRoots',
        join(packageRoot, '../../node_modules/@types'),
        'consumer.mts',
        'consumer.cts',
      ],
      { cwd: project },
    ).catch((error: { stdout: string }) => ({ stdout: error.stdout }))
    expect(result.stdout).toBe('')
  })
})
