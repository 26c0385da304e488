export {
  startEmulator,
  createClock,
  escapeHtml,
  page,
  type Clock,
  type Emulator,
  type EmulatorContext,
  type Fault,
  type FaultOptions,
  type RecordedRequest,
  type StartEmulatorOptions,
} from './harness';
export { emulators, startAll, type EmulatorEntry } from './registry';
