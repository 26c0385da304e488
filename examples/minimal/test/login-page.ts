// The emulator's login page walked as a browser would: the testing kit's helper.
export { chooseUser } from '@campus-passport/mock-platforms/testing';
