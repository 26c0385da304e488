export { describeConformance, countActions, type ConformanceTarget } from './conformance';
