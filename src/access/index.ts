export { allScopes, createCredentialService, defaultScopes, hasScope } from './credentials/credential-service.js';
export type { CredentialService, IssuedCredential, LrsPrincipal } from './credentials/credential-service.js';
