/** A provider payload seen as a plain record, for reading fields that the types cannot promise at runtime. */
export type Fields = Readonly<Record<string, unknown>>

/** The value as a record, or undefined when it is not an object. */
export function asFields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null ? (value as Fields) : undefined
}

/** A non-empty string field, or undefined. */
export function readString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
