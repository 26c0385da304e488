import { appBuild } from '../../tsup.base';

// The workspace packages are imported by name and resolve to their built dist.
export default appBuild();
