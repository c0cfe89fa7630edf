import { describe, expect, it } from 'vitest'
import { ByteBudget } from './byte-budget.ts'

describe('ByteBudget', () => {
  it('lends bytes up to its limit and takes them back', () => {
    const budget = new ByteBudget(100)
    expect(budget.tryTake(60)).toBe(true)
    expect(budget.tryTake(50)).toBe(false)
    expect(budget.tryTake(40)).toBe(true)
    expect(budget.used).toBe(100)
    budget.give(60)
    expect(budget.tryTake(50)).toBe(true)
    expect(budget.used).toBe(90)
  })

  it('lets one request larger than the whole limit through when nothing else is in flight', () => {
    const budget = new ByteBudget(100)
    expect(budget.tryTake(500)).toBe(true)
    expect(budget.tryTake(1)).toBe(false)
    budget.give(500)
    expect(budget.used).toBe(0)
  })

  it('grows a loan while the rest fits, or when it is the only one', () => {
    const budget = new ByteBudget(100)
    expect(budget.tryTake(10)).toBe(true)
    expect(budget.tryTake(10)).toBe(true)
    expect(budget.tryGrow(10, 80)).toBe(true)
    expect(budget.tryGrow(80, 91)).toBe(false)
    expect(budget.used).toBe(90)
    budget.give(10)
    expect(budget.tryGrow(80, 500)).toBe(true)
    expect(budget.used).toBe(500)
  })
})
