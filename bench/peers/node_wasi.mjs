// Runs a WASI preview1 command on Node's V8 for the benchmark comparison:
//   node --no-warnings node_wasi.mjs FILE.wasm [ARGS...]
// exits with the guest's proc_exit status. No directories, no environment.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
