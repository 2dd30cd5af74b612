# Real-world style Go programs (tests/go/<program>/main.go), each built twice,
# for wasip1 and natively, and run both ways on the same generated inputs by
# tests/go/run_native_compare.cmake, which requires exit status, stdout,
# stderr and the files written to be byte-identical; on every tier.
# Included by tests/CMakeLists.txt inside its Go block (go_env, go_source_dir,
# go_build_dir and WASMRT_GO_EXECUTABLE are set there).
#
#   jsonconv  jq/yq-like: multi-MB JSON, YAML and TOML converted into each
#             other, status 1 on malformed input. Its own module: it needs
#             gopkg.in/yaml.v3 and github.com/BurntSushi/toml, fetched at
#             build time through the Go module proxy (GOPROXY from the
#             environment at configure time, else proxy.golang.org) into the
#             build directory's module cache, checked against its go.sum;
#             a failed download fails the build (never a silent skip).
#   loggrep   grep/sed-like regexp processing of a multi-MB log, statuses 0/1/2
#   filetree  hundreds of files through a preopen: create, rename over,
#             remove, a 700-entry directory, links, filepath.WalkDir, a
#             manifest of SHA-256s
#   catwc     stdin to EOF in odd-sized chunks (a file and a pipe), cat -n/wc;
#             also read by a goroutine while a 1 ms ticker runs, from a
#             fast and from a slow producer
#   bigout    40 MB to stdout through bufio (a file and a pipe), then exit 3
#
# Under sanitizers the inputs are smaller (guests run several times slower
# there); the programs and the comparison are the same.

set(go_native_dir ${go_build_dir}/native)
# The native build: the host's GOOS/GOARCH, no cgo, otherwise the same
# hermetic settings as the wasip1 build.
set(go_native_env --unset=GOOS --unset=GOARCH CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOWORK=off
                  GOCACHE=${go_build_dir}/go-cache GOPATH=${go_build_dir}/go-path)
# jsonconv's module downloads its two dependencies (checked against its
# go.sum); -modcacherw keeps the module cache removable with rm -rf.
if(DEFINED ENV{GOPROXY} AND NOT "$ENV{GOPROXY}" STREQUAL "")
  set(go_module_proxy "$ENV{GOPROXY}")
else()
  set(go_module_proxy "https://proxy.golang.org,direct")
endif()
set(go_fetch_env "GOPROXY=${go_module_proxy}" "GOFLAGS=-mod=mod -modcacherw")

set(go_compare_programs jsonconv loggrep filetree catwc bigout)
set(go_compare_outputs "")
foreach(program ${go_compare_programs})
  set(sources ${go_source_dir}/${program}/main.go)
  set(wasm_env ${go_env})
  set(native_env ${go_native_env})
  set(package ./${program})
  set(directory ${go_source_dir})
  set(comment "")
  if(EXISTS ${go_source_dir}/${program}/go.mod)
    # Its own module, with third-party dependencies from the proxy.
    list(APPEND sources ${go_source_dir}/${program}/go.mod ${go_source_dir}/${program}/go.sum)
    list(APPEND wasm_env ${go_fetch_env})
    list(APPEND native_env ${go_fetch_env})
    set(package .)
    set(directory ${go_source_dir}/${program})
    set(comment " (its modules through GOPROXY=${go_module_proxy})")
  else()
    list(APPEND sources ${go_source_dir}/go.mod)
  endif()
  add_custom_command(
    OUTPUT ${go_build_dir}/${program}.wasm
    COMMAND ${CMAKE_COMMAND} -E env ${wasm_env}
            ${WASMRT_GO_EXECUTABLE} build -trimpath -o ${go_build_dir}/${program}.wasm ${package}
    WORKING_DIRECTORY ${directory}
    DEPENDS ${sources}
    COMMENT "Building the Go wasip1 test program ${program}${comment}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${go_native_dir}/${program}
    COMMAND ${CMAKE_COMMAND} -E env ${native_env}
            ${WASMRT_GO_EXECUTABLE} build -trimpath -o ${go_native_dir}/${program} ${package}
    WORKING_DIRECTORY ${directory}
    DEPENDS ${sources}
    COMMENT "Building the Go test program ${program} natively${comment}"
    VERBATIM)
  list(APPEND go_compare_outputs ${go_build_dir}/${program}.wasm ${go_native_dir}/${program})
endforeach()
add_custom_target(go_compare_programs ALL DEPENDS ${go_compare_outputs})

# add_go_native_compare_test(NAME PROGRAM [STATUS n] [STDIN none|file:P|pipe:P|trickle:P]
#   [STDOUT_PIPE] [GEN generator args...] [ARGS program args...])
# makes go_native_NAME (the interpreter) and go_native_NAME_jit.
function(add_go_native_compare_test name program)
  cmake_parse_arguments(CMP "STDOUT_PIPE" "STATUS;STDIN" "GEN;ARGS" ${ARGN})
  if(NOT DEFINED CMP_STATUS)
    set(CMP_STATUS 0)
  endif()
  foreach(tier ${wasmrt_tiers})  # tests/CMakeLists.txt
    set(test go_native_${name})
    set(options --engine=interp)
    if(tier STREQUAL "jit")
      set(test go_native_${name}_jit)
      set(options --engine=jit)
    endif()
    add_test(NAME ${test}
             COMMAND ${CMAKE_COMMAND} -DWASM_RUN=${wasmrt_wasm_run} -DMODULE=${go_build_dir}/${program}.wasm
                     -DNATIVE=${go_native_dir}/${program} -DWORK=${go_build_dir}/work/${test}
                     "-DOPTIONS=${options}" "-DARGS=${CMP_ARGS}" "-DGEN=${CMP_GEN}" -DSTDIN=${CMP_STDIN}
                     -DSTDOUT_PIPE=${CMP_STDOUT_PIPE} -DEXPECT_STATUS=${CMP_STATUS}
                     -P ${go_source_dir}/run_native_compare.cmake)
    set_tests_properties(${test} PROPERTIES TIMEOUT 600 LABELS go)
  endforeach()
endfunction()

# Input sizes: multi-MB in a normal build, a fifth to an eighth under
# sanitizers, where the interpreter runs the guests about six times slower
# (the whole go_native_ set then takes about five minutes there).
if(WASMRT_SANITIZE)
  set(catalog_packages 500)
  set(log_lines 5000)
  set(text_bytes 1500000)
  set(output_mb 8)
else()
  set(catalog_packages 2500)
  set(log_lines 40000)
  set(text_bytes 8000000)
  set(output_mb 40)
endif()

set(gen GEN gen data ${catalog_packages})
add_go_native_compare_test(jsonconv_json_to_yaml jsonconv ${gen}
                           ARGS convert json yaml data/catalog.json data/converted.yaml)
add_go_native_compare_test(jsonconv_yaml_to_toml jsonconv ${gen}
                           ARGS convert yaml toml data/catalog.yaml -)
add_go_native_compare_test(jsonconv_toml_to_json jsonconv ${gen} STDIN pipe:data/catalog.toml
                           ARGS convert toml json - -)
add_go_native_compare_test(jsonconv_malformed jsonconv ${gen} STATUS 1
                           ARGS validate json data/catalog.json data/bad.json data/missing.json)
add_go_native_compare_test(jsonconv_malformed_yaml jsonconv ${gen} STATUS 1
                           ARGS validate yaml data/bad.yaml)
add_go_native_compare_test(jsonconv_malformed_toml jsonconv ${gen} STATUS 1
                           ARGS convert toml yaml data/bad.toml -)

set(gen GEN gen log.txt ${log_lines})
add_go_native_compare_test(loggrep_report loggrep ${gen} ARGS report log.txt)
add_go_native_compare_test(loggrep_grep_match loggrep ${gen}
                           ARGS grep -o "trace_id=[0-9a-f]+|/api/v[12]/[a-z]+/[0-9]+" log.txt)
add_go_native_compare_test(loggrep_grep_count loggrep ${gen} STDIN pipe:log.txt
                           ARGS grep -c -i -v "mozilla|get ")
add_go_native_compare_test(loggrep_grep_nomatch loggrep ${gen} STATUS 1
                           ARGS grep "HTTP/2\\.0" log.txt)
add_go_native_compare_test(loggrep_grep_bad_pattern loggrep STATUS 2 ARGS grep "a(b" log.txt)
add_go_native_compare_test(loggrep_grep_missing_file loggrep ${gen} STATUS 2
                           ARGS grep -c timed log.txt no/such/file.txt)

add_go_native_compare_test(filetree filetree ARGS .)

set(gen GEN gen input.txt ${text_bytes})
add_go_native_compare_test(catwc_file catwc ${gen} STDIN file:input.txt)
add_go_native_compare_test(catwc_pipe catwc ${gen} STDIN pipe:input.txt)
add_go_native_compare_test(catwc_pipe_concurrent catwc ${gen} STDIN pipe:input.txt ARGS -concurrent)
add_go_native_compare_test(catwc_slow_pipe_concurrent catwc GEN gen input.txt 1500000
                           STDIN trickle:input.txt ARGS -concurrent)

add_go_native_compare_test(bigout_file bigout ARGS ${output_mb})
add_go_native_compare_test(bigout_pipe_exit3 bigout STDOUT_PIPE STATUS 3 ARGS ${output_mb} 3)
