// `node --import ./register.mjs ...`: every module the process resolves is appended to $MODULE_LOG.
import { register } from 'node:module';

register('./resolve-hook.mjs', import.meta.url);
