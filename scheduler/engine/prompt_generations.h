#pragma once
// PromptGenerations: the generator's calls of a loop, run on background
// threads so the scheduler thread can submit each prompt's renders as soon
// as it arrives, and so calls whose inputs are already known (the next
// iteration's prompts of instructions that survive selection) can start
// while the gradient calculator and the modifier still think.
//
// A call is named by (instruction text, query, sample index), exactly the
// generator's inputs, so a prompt started early is the one the later step
// would have asked for: a call is made once, and results never depend on
// when it ran (the LLM cache makes a repeat after a resume free).
//
// start() is called from the scheduler thread only; collect() too. The
// destructor stops handing out calls not yet begun and waits for those in
// flight, so no thread outlives the loop.
#include <condition_variable>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace bigpe::engine {

struct GenerationCall {
  std::string instruction;
  std::string query;
  int sample_index = 0;
  bool operator<(const GenerationCall& o) const {
    return std::tie(instruction, query, sample_index) < std::tie(o.instruction, o.query, o.sample_index);
  }
};

class PromptGenerations {
 public:
  using Generate = std::function<std::string(const GenerationCall&)>;

  // REQUIRES: generate is safe to call from several threads at once.
  explicit PromptGenerations(Generate generate);
  ~PromptGenerations();
  PromptGenerations(const PromptGenerations&) = delete;
  PromptGenerations& operator=(const PromptGenerations&) = delete;

  // Starts, in the background with up to `concurrency` calls at once, every
  // call not started before. Returns at once.
  void start(const std::vector<GenerationCall>& calls, int concurrency);

  // Starts what is missing, then waits for every call. As prompts arrive
  // it calls on_ready(arrived, prompts) on this thread: `arrived` holds the
  // indices (into `calls`) that came in since the last call, each once, and
  // prompts[i] is filled for them. Returns the prompts in the order of
  // `calls`. Rethrows the first failure of these calls once none of them is
  // still running; a failed call is forgotten, so a later step asks again.
  using OnReady = std::function<void(const std::vector<std::size_t>& arrived,
                                     const std::vector<std::string>& prompts)>;
  // While it waits, idle() (if given) is called on this thread about every
  // kIdleEvery, and after each on_ready.
  using Idle = std::function<void()>;
  std::vector<std::string> collect(const std::vector<GenerationCall>& calls, int concurrency,
                                   const OnReady& on_ready, const Idle& idle = {});
  static constexpr std::chrono::milliseconds kIdleEvery{20};

  // Forgets finished calls (their prompts are in the LLM cache anyway).
  void forget_finished();

 private:
  struct Entry {
    bool done = false;
    std::optional<std::string> prompt;
    std::exception_ptr error;
  };
  void run_batch(std::vector<GenerationCall> calls, int concurrency);

  Generate generate_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<GenerationCall, Entry> entries_;
  bool stopping_ = false;
  struct Batch {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::vector<Batch> batches_;  // finished ones are joined at the next start()
};

}  // namespace bigpe::engine
