// Small guests in the text format for the plugin host's tests: one reactor
// and one command guest whose behaviour is chosen by the request's first
// byte, so that one registered module (which must pass the smoke call, an
// empty request) can also be made to misbehave in every way on purpose.
//
//   (empty or other)  echo: "<tag>:" + input + ":<tag>"
//   'E'  application error (reactor: wasmrt.set_error 42 "bad input";
//        command: "bad input" on stderr and exit status 3)
//   'T'  trap (unreachable)            'L'  loop forever (fuel or deadline)
//   'M'  grow memory a page at a time until refused, then trap
//   'S'  unbounded recursion           'O'  output past any cap
//   'C'  (reactor) increment a byte of memory and return it: 1 in a fresh instance
//   'G'  (reactor) grow by 30 pages (within a 32-page cap), then trap
//   'R'  (reactor) try to grow by 40 pages, ignore the refusal, then echo
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plugin_host_test {

inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// `tag` is two characters ("v1", "v2").
inline std::string reactor_wat(std::string_view tag = "v1") {
  std::string text = R"WAT((module
  (import "wasmrt" "set_error" (func $set_error (param i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 0) "TAG:")
  (data (i32.const 8) ":TAG")
  (data (i32.const 16) "bad input")
  (func $alloc (export "alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.const 1)
        (i32.div_u (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)))))))
    (local.get $p))
  (func $recurse (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "handle") (param $p i32) (param $n i32) (result i64)
    (local $op i32) (local $out i32)
    (if (i32.gt_u (local.get $n) (i32.const 0)) (then (local.set $op (i32.load8_u (local.get $p)))))
    (if (i32.eq (local.get $op) (i32.const 76)) (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $op) (i32.const 77))
      (then (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (unreachable)))
    (if (i32.eq (local.get $op) (i32.const 71)) (then (drop (memory.grow (i32.const 30))) (unreachable)))
    (if (i32.eq (local.get $op) (i32.const 82)) (then (drop (memory.grow (i32.const 40)))))
    (if (i32.eq (local.get $op) (i32.const 83)) (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 84)) (then (unreachable)))
    (if (i32.eq (local.get $op) (i32.const 79)) (then (return (i64.const 0x7fffffff))))
    (if (i32.eq (local.get $op) (i32.const 69))
      (then (call $set_error (i32.const 42) (i32.const 16) (i32.const 9)) (return (i64.const 0))))
    (if (i32.eq (local.get $op) (i32.const 67))
      (then (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 1)))
            (return (i64.const 429496729601))))
    (local.set $out (call $alloc (i32.add (local.get $n) (i32.const 6))))
    (memory.copy (local.get $out) (i32.const 0) (i32.const 3))
    (memory.copy (i32.add (local.get $out) (i32.const 3)) (local.get $p) (local.get $n))
    (memory.copy (i32.add (i32.add (local.get $out) (i32.const 3)) (local.get $n)) (i32.const 8) (i32.const 3))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32))
            (i64.extend_i32_u (i32.add (local.get $n) (i32.const 6))))))
)WAT";
  return replace_all(text, "TAG", tag);
}

inline std::string command_wat(std::string_view tag = "c1") {
  std::string text = R"WAT((module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "TAG:")
  (data (i32.const 24) ":TAG")
  (data (i32.const 32) "bad input")
  (func $write (param $fd i32) (param $at i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $recurse (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "_start")
    (local $total i32) (local $n i32) (local $op i32)
    (loop $read
      (i32.store (i32.const 0) (i32.add (local.get $total) (i32.const 1024)))
      (i32.store (i32.const 4) (i32.sub (i32.const 120000) (local.get $total)))
      (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $n (i32.load (i32.const 8)))
      (local.set $total (i32.add (local.get $total) (local.get $n)))
      (br_if $read (local.get $n)))
    (if (local.get $total) (then (local.set $op (i32.load8_u (i32.const 1024)))))
    (if (i32.eq (local.get $op) (i32.const 69))
      (then (call $write (i32.const 2) (i32.const 32) (i32.const 9)) (call $proc_exit (i32.const 3))))
    (if (i32.eq (local.get $op) (i32.const 76)) (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $op) (i32.const 84)) (then (unreachable)))
    (if (i32.eq (local.get $op) (i32.const 83)) (then (drop (call $recurse (i32.const 0)))))
    (if (i32.eq (local.get $op) (i32.const 77))
      (then (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) (unreachable)))
    (if (i32.eq (local.get $op) (i32.const 79))
      (then (loop $spew (call $write (i32.const 1) (i32.const 16) (i32.const 4)) (br $spew))))
    (call $write (i32.const 1) (i32.const 16) (i32.const 3))
    (call $write (i32.const 1) (i32.const 1024) (local.get $total))
    (call $write (i32.const 1) (i32.const 24) (i32.const 3))))
)WAT";
  return replace_all(text, "TAG", tag);
}

inline std::vector<uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

}  // namespace plugin_host_test
