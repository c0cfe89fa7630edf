import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createProgressBar } from './progress-bar.ts'

function recorder(isTTY: boolean) {
  const writes: string[] = []
  let clockMs = 0
  return {
    writes,
    stream: { isTTY, write: (text: string) => writes.push(text) },
    nowMs: () => clockMs,
    advance: (ms: number) => {
      clockMs += ms
    },
  }
}

describe('createProgressBar', () => {
  it('redraws one line in place on a terminal, at most ten times a second', () => {
    const out = recorder(true)
    const bar = createProgressBar({
      total: 1_000_000,
      stream: out.stream,
      label: 'Seeded',
      unit: 'events',
      nowMs: out.nowMs,
      widthChars: 10,
    })
    out.advance(3_000)
    bar.update(120_000)
    out.advance(50)
    bar.update(125_000)
    out.advance(100)
    bar.update(130_000)
    bar.finish()
    expect(out.writes).toEqual([
      '\rSeeded 120000/1000000 events [#.........] 12% 40k/s',
      '\rSeeded 130000/1000000 events [#.........] 13% 41k/s',
      '\rSeeded 130000/1000000 events [#.........] 13% 41k/s\n',
    ])
  })

  it('prints a line per 10% on a pipe, and the final line once', () => {
    const out = recorder(false)
    const bar = createProgressBar({
      total: 100,
      stream: out.stream,
      label: 'Seeded',
      unit: 'events',
      nowMs: out.nowMs,
      widthChars: 4,
    })
    out.advance(2_000)
    for (let done = 5; done <= 100; done += 5) bar.update(done)
    bar.finish()
    bar.finish()
    expect(out.writes).toHaveLength(11)
    expect(out.writes[0]).toBe('Seeded 5/100 events [....] 5% 3/s\n')
    expect(out.writes[5]).toBe('Seeded 50/100 events [##..] 50% 25/s\n')
    expect(out.writes.at(-1)).toBe('Seeded 100/100 events [####] 100% 50/s\n')
  })

  it('formats rates in thousands above 1,000 per second', () => {
    const out = recorder(false)
    const bar = createProgressBar({
      total: 5_000,
      stream: out.stream,
      label: 'Seeded',
      unit: 'events',
      nowMs: out.nowMs,
      widthChars: 2,
    })
    out.advance(1_000)
    bar.update(2_500)
    expect(out.writes).toEqual(['Seeded 2500/5000 events [#.] 50% 2.5k/s\n'])
  })

  it('draws the lines docs/cli.md and docs/operations.md show, 20 characters wide', () => {
    for (const doc of ['docs/cli.md', 'docs/operations.md']) {
      const text = readFileSync(new URL(`../../../../${doc}`, import.meta.url), 'utf8')
      const examples = [...text.matchAll(/Aggregated (\d+)\/(\d+) days \[[#.]*\] \d+% (\d+)\/s/g)]
      expect(examples.length, doc).toBeGreaterThan(0)
      for (const [example, done, total, rate] of examples) {
        const out = recorder(true)
        const bar = createProgressBar({
          total: Number(total),
          stream: out.stream,
          label: 'Aggregated',
          unit: 'days',
          nowMs: out.nowMs,
        })
        out.advance((Number(done) / Number(rate)) * 1_000)
        bar.update(Number(done))
        expect(out.writes, doc).toEqual([`\r${example}`])
      }
    }
  })
})
