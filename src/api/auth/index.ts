export { installAuthHook, bearerToken } from './hook';
export {
  requireUser,
  requireAdmin,
  toActor,
  hasAdminScope,
  USER_ONLY_SCOPE,
  type Principal,
} from './principal';
