export { installAuthHook, bearerToken } from './hook';
export { requireUser, requireAdmin, toActor, hasAdminScope, type Principal } from './principal';
