#pragma once
// TaskInbox: the hand-off from a worker's I/O thread to its compute thread.
// The I/O thread puts tasks in as they arrive; the compute thread takes the
// waiting tasks at once (up to a limit), so that tasks which queued up while
// a batch ran are executed (and their Redis traffic batched) together.
//
// Each task carries the session it arrived in; take() leaves out tasks
// of sessions older than the current one (the broker has given them to
// another worker by then).
//
// Thread-safety: every method is safe to call from any thread.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "schemas/messages.h"

namespace bigpe {

class TaskInbox {
 public:
  struct Entry {
    schemas::Task task;
    uint64_t session = 0;
  };

  void put(schemas::Task task, uint64_t session) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back({std::move(task), session});
    }
    cv_.notify_one();
  }

  // Several tasks, one wake-up: the I/O thread hands over all the tasks one
  // poll brought in.
  void put_all(std::vector<schemas::Task>& tasks, uint64_t session) {
    if (tasks.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (schemas::Task& t : tasks) queue_.push_back({std::move(t), session});
    }
    tasks.clear();
    cv_.notify_one();
  }

  // Starts a new session: everything queued so far is stale.
  void begin_session(uint64_t session) {
    std::lock_guard<std::mutex> lock(mu_);
    session_ = session;
    queue_.clear();
  }

  // Blocks until tasks of the current session are waiting (returns up to
  // `max` of them, oldest first; the rest stay queued) or close() was
  // called (returns nullopt). REQUIRES: max >= 1.
  std::optional<std::vector<Entry>> take(std::size_t max) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
      if (closed_) return std::nullopt;
      std::vector<Entry> out;
      while (!queue_.empty() && out.size() < max) {
        if (queue_.front().session == session_) out.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (!out.empty()) return out;
    }
  }

  // Removes a waiting task (the broker took it back: CANCEL). False when it
  // is not waiting here (running, answered, or never arrived).
  bool drop(const std::string& task_id, int attempt) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->task.task_id == task_id && it->task.attempt == attempt) {
        queue_.erase(it);
        return true;
      }
    }
    return false;
  }

  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;
  uint64_t session_ = 0;
  bool closed_ = false;
};

}  // namespace bigpe
