// WASMRT_ALWAYS_INLINE: force inlining of a helper on the interpreter's hot
// path. GCC stops inlining into very large functions (the interpreter's
// dispatch function is one), so plain `inline` is not enough there.
//
// Sanitizer builds leave the attribute out: there every inlined copy carries
// its own instrumentation, and forcing the numeric helpers and memory
// accessors into each of the dispatch function's thousands of handlers made
// clang spend about half an hour on that one file (CI's whole ASan build
// takes about 6 minutes without). Those builds check correctness, not speed.
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define WASMRT_SANITIZER_BUILD 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WASMRT_SANITIZER_BUILD 1
#endif

#if defined(WASMRT_SANITIZER_BUILD) || !(defined(__GNUC__) || defined(__clang__))
#define WASMRT_ALWAYS_INLINE
#else
#define WASMRT_ALWAYS_INLINE __attribute__((always_inline))
#endif
