import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { postgresArrayLiteral, postgresArrayLiteralByElement } from './postgres-array-literal.ts'

// Values as ingest sends them, biased towards what the array syntax and JSON treat differently.
const awkwardText = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '\\', '\n', '\u0001', 'null', 'NULL', ',', '{', '}', ' ', 'é', '🙂', 'n', 'u'),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''))
const cell = fc.oneof(
  awkwardText,
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
)

describe('postgresArrayLiteral', () => {
  it('escapes text with control characters as the array syntax wants, not as JSON would', () => {
    expect(postgresArrayLiteral(['a\n"b"'])).toBe('{"a\n\\"b\\""}')
  })

  it('quotes text, escapes quotes and backslashes, and writes NULL, numbers and booleans bare', () => {
    expect(postgresArrayLiteral(['a', null, 'say "hi"', 'C:\\dir', undefined, 3, 2.5, true])).toBe(
      '{"a",null,"say \\"hi\\"","C:\\\\dir",null,3,2.5,true}',
    )
    expect(postgresArrayLiteral([])).toBe('{}')
  })

  it('writes exactly what the element-by-element builder writes, whichever path it takes', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 8 }), (values) => {
        expect(postgresArrayLiteral(values)).toBe(postgresArrayLiteralByElement(values))
      }),
      { numRuns: 20_000 },
    )
  })
})

describeEachDatabase('postgresArrayLiteral round trip', (getDb) => {
  it('reads back every value as it was sent', async () => {
    const texts = [
      'plain',
      '',
      'NULL',
      'a,b',
      '{braces}',
      'quote " and \\ backslash',
      'line\nbreak "quoted" \t tab \\',
      '"quoted" 🙂 emoji \\',
      ' spaced ',
      'ünïcødé 🙂',
      null,
    ]
    const { rows } = await getDb().query<{ value: string | null }>(
      'SELECT value FROM unnest($1::text[]) WITH ORDINALITY AS t(value, position) ORDER BY position',
      [postgresArrayLiteral(texts)],
    )
    expect(rows.map((row) => row.value)).toEqual(texts)
    const json = [JSON.stringify({ note: 'a "quoted" \\ value' }), null]
    const jsonRows = await getDb().query<{ value: string | null }>(
      'SELECT value::text AS value FROM unnest($1::jsonb[]) WITH ORDINALITY AS t(value, position) ORDER BY position',
      [postgresArrayLiteral(json)],
    )
    expect(jsonRows.rows.map((row) => (row.value === null ? null : JSON.parse(row.value)))).toEqual([
      { note: 'a "quoted" \\ value' },
      null,
    ])
  })
})
