/** `@innover/kit/app`: the Express app factory and the auth pieces (loads express and jose). */
export { createApp, healthResponder, isHealthRequest } from './app.js';
export type { AppDependencies } from './app.js';
export { authMiddleware, createTokenVerifier, realmRoles, requiredRole } from './auth.js';
export type { TokenVerifier } from './auth.js';
