/** `@innover/kit/app`: the Express app factory and the auth pieces (loads express and jose). */
export { createApp, healthResponder, isHealthRequest } from './app.ts';
export type { AppDependencies } from './app.ts';
export { authMiddleware, createTokenVerifier, realmRoles, requiredRole } from './auth.ts';
export type { TokenVerifier } from './auth.ts';
