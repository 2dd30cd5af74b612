// `wasm-run serve` (serve.cc): the plugin host over HTTP. main.cc parses
// the whole command line with CLI11; `serve` is one of its subcommands.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string registry;
  std::string tenants;
  std::string log = "-";
  std::string engine = "auto";
  double grace_seconds = 10;
  int threads = 64;
  std::size_t max_body_bytes = std::size_t{64} << 20;
};

// Adds the `serve` subcommand, whose options fill `options` when the
// command line is parsed.
CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);

// Runs the server with the parsed options; returns wasm-run's exit status.
int serve_main(const ServeOptions& options);
