// Full logins through each strategy against its emulator: added as the strategy packages land.
export async function loginBenches() {}
