/**
 * A JSON Schema (draft-07) document. Kept as plain data so schemas can be published to customers and
 * other languages unchanged; validation compiles them with ajv.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };
