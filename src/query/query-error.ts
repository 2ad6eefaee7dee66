// A query that is well-formed but cannot be answered (unsupported construct, too many series, bad range).
// The HTTP layer answers it with 400 and Loki's error shape.

export class QueryError extends Error {}
