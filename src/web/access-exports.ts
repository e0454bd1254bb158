/** What the pages use from other contexts, through their public modules only. */
export { admits, covers, grantOf, userOf, actorOf, roleNames, countryCodes, allScopes, minPasswordLength, TooManyAttempts } from '../access/index.js';
export type { Access } from '../access/index.js';
export type { Policy } from '../access/index.js';
export { AppError } from '../errors.js';
