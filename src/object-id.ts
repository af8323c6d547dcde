// Node, user and group ids are MongoDB ObjectIds: 24 hex digits. The one check, for code and for the
// API's JSON schemas.
export const OBJECT_ID_PATTERN = '^[0-9a-fA-F]{24}$';
export const OBJECT_ID_RE = new RegExp(OBJECT_ID_PATTERN);

export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_RE.test(value);
}
