// The emulators' login pages walked as a browser would: the testing kit's helpers.
export { chooseUser, decline, fetchPage } from '@campus-passport/mock-platforms/testing';
