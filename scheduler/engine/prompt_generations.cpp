#include "scheduler/engine/prompt_generations.h"

#include <stdexcept>

#include "common/parallel_for.h"

namespace bigpe::engine {

PromptGenerations::PromptGenerations(Generate generate) : generate_(std::move(generate)) {}

PromptGenerations::~PromptGenerations() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  for (Batch& b : batches_) b.thread.join();
}

void PromptGenerations::run_batch(std::vector<GenerationCall> calls, int concurrency) {
  parallel_for(calls.size(), concurrency, [&](std::size_t i) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        Entry& e = entries_[calls[i]];
        e.error = std::make_exception_ptr(std::runtime_error("generation stopped"));
        e.done = true;
        changed_.notify_all();
        return;
      }
    }
    Entry result;
    try {
      result.prompt = generate_(calls[i]);
    } catch (...) {
      result.error = std::current_exception();
    }
    result.done = true;
    std::lock_guard<std::mutex> lock(mu_);
    entries_[calls[i]] = std::move(result);
    changed_.notify_all();
  });
}

void PromptGenerations::start(const std::vector<GenerationCall>& calls, int concurrency) {
  std::vector<GenerationCall> fresh;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const GenerationCall& c : calls)
      if (entries_.emplace(c, Entry{}).second) fresh.push_back(c);
  }
  for (auto it = batches_.begin(); it != batches_.end();) {
    if (!it->finished->load()) {
      ++it;
      continue;
    }
    it->thread.join();
    it = batches_.erase(it);
  }
  if (fresh.empty()) return;
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread t([this, fresh = std::move(fresh), concurrency, finished]() mutable {
    run_batch(std::move(fresh), concurrency);
    finished->store(true);
  });
  batches_.push_back({std::move(t), std::move(finished)});
}

std::vector<std::string> PromptGenerations::collect(const std::vector<GenerationCall>& calls,
                                                    int concurrency, const OnReady& on_ready,
                                                    const Idle& idle) {
  start(calls, concurrency);
  std::vector<std::string> prompts(calls.size());
  std::vector<bool> handed(calls.size(), false);
  std::size_t remaining = calls.size();
  std::exception_ptr first_error;
  std::size_t first_error_index = calls.size();
  std::unique_lock<std::mutex> lock(mu_);
  while (remaining > 0) {
    std::vector<std::size_t> arrived;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (handed[i]) continue;
      auto it = entries_.find(calls[i]);
      if (it == entries_.end() || !it->second.done) continue;
      handed[i] = true;
      --remaining;
      if (it->second.error) {
        if (i < first_error_index) {
          first_error = it->second.error;
          first_error_index = i;
        }
      } else {
        prompts[i] = *it->second.prompt;
        arrived.push_back(i);
      }
    }
    if (!arrived.empty()) {
      // on_ready submits renders: not under the lock, which the
      // generating threads need to hand in their answers.
      lock.unlock();
      if (!first_error && on_ready) on_ready(arrived, prompts);
      if (idle) idle();
      lock.lock();
      continue;
    }
    if (remaining == 0) break;
    if (!idle) {
      changed_.wait(lock);
    } else if (changed_.wait_for(lock, kIdleEvery) == std::cv_status::timeout) {
      lock.unlock();
      idle();
      lock.lock();
    }
  }
  if (first_error) {
    for (const GenerationCall& c : calls) {
      auto it = entries_.find(c);
      if (it != entries_.end() && it->second.error) entries_.erase(it);
    }
    std::rethrow_exception(first_error);
  }
  return prompts;
}

void PromptGenerations::forget_finished() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();)
    it = it->second.done ? entries_.erase(it) : std::next(it);
}

}  // namespace bigpe::engine
