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
export {
  CredentialStore,
  randomCredential,
  param,
  params,
  isLocalRedirect,
  withQuery,
  loginPage,
  type LoginChoice,
  type LoginPageOptions,
  type ParamSource,
} from './kit';
