#pragma once
#include <exception>
// Ctrl-C and SIGTERM during a run: the first request stops the experiment
// at the next safe point (it stays resumable); a second one exits at once.
namespace bigpe::engine {

void install_interrupt_handlers();
bool interrupted();

class Interrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted by signal"; }
};

}  // namespace bigpe::engine
