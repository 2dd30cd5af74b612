# Cross build for arm64 (AArch64 Linux, glibc) on an x86-64 Debian host, with
# the tests run under qemu-user (docs/aarch64.md; scripts/setup_aarch64.sh
# installs what this needs):
#
#   cmake -S . -B build/aarch64 -G Ninja -DCMAKE_BUILD_TYPE=Release \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
#   ninja -C build/aarch64 && ctest --test-dir build/aarch64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian multiarch: the arm64 copies of asmjit and GoogleTest
# (libasmjit-dev:arm64, libgtest-dev:arm64) live in /usr/lib/aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
# Programs (go, clang for the wasm32-wasi guests, qemu) come from the host;
# libraries, headers and packages from the target root or the multiarch dirs
# (BOTH: /usr/lib/aarch64-linux-gnu/cmake is outside the root path).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# Executables link statically (glibc, libstdc++; asmjit and GoogleTest are
# static archives anyway), so qemu-user needs no `-L /usr/aarch64-linux-gnu`
# to find the dynamic loader. -L is not only the loader's prefix: qemu
# redirects every absolute path a guest opens that also exists under the
# prefix, `/` included, so a guest that opened `/` (wasm-run --dir /::/, as
# go_wasip1_wasm_exec does) saw the cross sysroot instead of the host's root
# (docs/aarch64.md). Static binaries also start about 5x faster under qemu.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# So libcrypto (the code cache's SHA-256, libssl-dev:arm64) is its static
# archive too: a static link cannot take libcrypto.so.
set(OPENSSL_USE_STATIC_LIBS TRUE)

# No binfmt_misc on these machines: ctest (and gtest_discover_tests) run
# every arm64 executable through qemu-user explicitly.
set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64")
# Run ctest with QEMU_RESERVED_VA=512G in the environment (as
# scripts/test_aarch64.sh does): without it qemu-user 7.2 never frees its
# per-page bookkeeping of unmapped guest memory, and the spec suite grows it
# past 20 GB (docs/aarch64.md).
# FindOpenSSL asks pkg-config first, which answers with the build machine's
# libcrypto (x86-64): name the arm64 one (libssl-dev:arm64) explicitly.
set(OPENSSL_CRYPTO_LIBRARY /usr/lib/aarch64-linux-gnu/libcrypto.a CACHE FILEPATH "arm64 libcrypto")
set(OPENSSL_INCLUDE_DIR /usr/include CACHE PATH "OpenSSL headers (arm64 opensslconf.h in /usr/include/aarch64-linux-gnu)")
