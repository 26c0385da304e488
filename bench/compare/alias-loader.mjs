// node --import ./alias-loader.mjs: see alias-hooks.mjs (BENCH_ALIASES: JSON { specifier: file }).
import { register } from 'node:module';

register('./alias-hooks.mjs', import.meta.url, { data: { aliases: JSON.parse(process.env.BENCH_ALIASES ?? '{}') } });
