export { describeConformance, countActions, type ConformanceTarget } from './conformance';
export { startRedis, ensureRedisServer, type RedisServer } from './redis';
