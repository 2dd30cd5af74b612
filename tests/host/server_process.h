// Starts `wasm-run serve` on a free loopback port for the HTTP tests and
// the soak test, and stops it with SIGTERM.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace plugin_host_test {

class ServerProcess {
 public:
  // Runs WASM_RUN serve --listen 127.0.0.1:0 --registry DIR EXTRA... and
  // waits for its "listening on http://HOST:PORT" line. stderr goes to
  // `stderr_path` ("" : the test's own stderr).
  bool start(const std::string& wasm_run, const std::string& registry, const std::vector<std::string>& extra,
             const std::string& stderr_path = "") {
    int out[2];
    if (pipe(out) != 0) return false;
    std::vector<std::string> words = {wasm_run, "serve", "--listen", "127.0.0.1:0", "--registry", registry};
    words.insert(words.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      if (!stderr_path.empty()) {
        if (std::FILE* log = std::fopen(stderr_path.c_str(), "a")) dup2(fileno(log), 2);
      }
      std::vector<char*> argv;
      for (auto& word : words) argv.push_back(word.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    auto at = line.find("http://127.0.0.1:");
    if (at == std::string::npos) return false;
    port_ = std::atoi(line.c_str() + at + 17);
    return port_ > 0;
  }

  // SIGTERM, then the exit status (-1 if it did not exit normally).
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    return wait_exit();
  }
  int wait_exit() {
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace plugin_host_test
