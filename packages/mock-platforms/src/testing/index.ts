export { describeConformance, type ConformanceTarget } from './conformance';
export {
  strategyApp,
  useEmulator,
  countActions,
  oneAction,
  errorBody,
  type Actions,
  type OutcomeBody,
  type StrategyApp,
  type StrategyAppOptions,
} from './app';
export { chooseUser, decline, fetchPage } from './login-page';
export { startRedis, ensureRedisServer, type RedisServer } from './redis';
