// `wasm-run serve` (serve.cc): argv[0] is "serve".
#pragma once

int serve_main(int argc, char** argv);
