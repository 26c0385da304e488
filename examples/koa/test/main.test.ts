// The Koa recipe as a user runs it: the shared recipe suite (examples/shared/hduhelp-recipe.ts) —
// a real server on 127.0.0.1, HDU Helper's emulator, the login page, the callback, the greeting, and a
// forged state answered 403 ERR_STATE.
import { describeHduHelpRecipe } from '../../shared/hduhelp-recipe';
import { start } from '../src/main';

describeHduHelpRecipe('examples/koa', start);
