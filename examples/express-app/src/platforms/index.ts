import { disabledAid } from './disabled-aid';
import { hduhelp } from './hduhelp';
import { ncuos } from './ncuos';
import type { PlatformWiring } from './types';
import { zafu } from './zafu';
import { ziqiang } from './ziqiang';

/** Every platform the demo knows, in the order the home page shows them. */
export const PLATFORMS: readonly PlatformWiring[] = [hduhelp, ziqiang, ncuos, disabledAid, zafu];

export type { PlatformWiring, ConfiguredPlatform, DemoUser, StrategyContext, EnvVarDoc } from './types';
