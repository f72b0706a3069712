#pragma once
// Ctrl-C and SIGTERM during a run: the first request stops the experiment
// at the next safe point (it stays resumable) and the process exits with
// 128 + the signal's number (130, 143); a second one exits at once.
#include <exception>
#include <string>

namespace bigpe::engine {

void install_interrupt_handlers();
bool interrupted();
// 128 + the first signal's number; 0 when none arrived.
int interrupt_exit_code();

class Interrupted : public std::exception {
 public:
  Interrupted();
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

}  // namespace bigpe::engine
