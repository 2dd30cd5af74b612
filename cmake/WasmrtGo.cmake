# Finds a Go toolchain usable for wasip1 guests (Go >= 1.24: //go:wasmexport
# and -buildmode=c-shared for wasip1). Sets, in the caller's scope:
#   WASMRT_GO_EXECUTABLE  the go binary (cached; PATH, then /usr/local/go/bin)
#   WASMRT_GO_USABLE      ON if it is new enough
#   WASMRT_GO_VERSION     its `go env GOVERSION`
# Every Go guest build (bench/, tests/, examples/) uses this one check.
function(wasmrt_find_go)
  find_program(WASMRT_GO_EXECUTABLE go HINTS /usr/local/go/bin)
  set(usable OFF)
  set(version "")
  if(WASMRT_GO_EXECUTABLE)
    execute_process(COMMAND ${WASMRT_GO_EXECUTABLE} env GOVERSION
                    OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE status ERROR_QUIET)
    string(REGEX MATCH "^go([0-9]+\\.[0-9]+)" match "${version}")
    if(status EQUAL 0 AND match AND CMAKE_MATCH_1 VERSION_GREATER_EQUAL 1.24)
      set(usable ON)
    endif()
  endif()
  set(WASMRT_GO_USABLE ${usable} PARENT_SCOPE)
  set(WASMRT_GO_VERSION "${version}" PARENT_SCOPE)
endfunction()
