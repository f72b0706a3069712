#pragma once
// LogCapture: while alive, every spdlog line of the default logger (from any
// thread) is also kept here, so a test can assert that a refusal was logged
// with its reason. Waits poll a condition against a deadline.
//
// Thread-safe: the sink locks; lines() and wait_for() may be called while
// other threads log.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace bigpe::testing {

class LineSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<LineSink>()), previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // True once a line contains every one of `parts` (false at the deadline).
  bool wait_for(const std::vector<std::string>& parts,
                std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    do {
      for (const std::string& line : sink_->lines()) {
        bool all = true;
        for (const std::string& p : parts) all = all && line.find(p) != std::string::npos;
        if (all) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // poll interval, not a sync
    } while (std::chrono::steady_clock::now() < end);
    return false;
  }

  std::string all() {
    std::string out;
    for (const std::string& l : sink_->lines()) out += l + "\n";
    return out;
  }

 private:
  std::shared_ptr<LineSink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace bigpe::testing
