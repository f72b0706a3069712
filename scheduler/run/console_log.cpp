#include "scheduler/run/console_log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace bigpe::engine {
namespace {

thread_local ConsoleLog* t_thread_log = nullptr;

// Hands each formatted log line to the ConsoleLogs that want it.
class ConsoleLogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ConsoleLogSink() { set_pattern_("%H:%M:%S.%e %l [%n] %v"); }  // the console's pattern, without colour

  void add(ConsoleLog* log) {
    std::lock_guard<std::mutex> g(registry_mu_);
    process_logs_.push_back(log);
  }
  void remove(ConsoleLog* log) {
    std::lock_guard<std::mutex> g(registry_mu_);
    process_logs_.erase(std::remove(process_logs_.begin(), process_logs_.end(), log), process_logs_.end());
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string text(formatted.data(), formatted.size());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::lock_guard<std::mutex> g(registry_mu_);
    for (ConsoleLog* log : process_logs_) log->line(text);
    if (t_thread_log != nullptr) t_thread_log->line(text);
  }
  void flush_() override {}

 private:
  std::mutex registry_mu_;
  std::vector<ConsoleLog*> process_logs_;
};

ConsoleLogSink& sink() {
  static std::shared_ptr<ConsoleLogSink> s = [] {
    auto made = std::make_shared<ConsoleLogSink>();
    spdlog::default_logger()->sinks().push_back(made);
    return made;
  }();
  return *s;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return stamp;
}

}  // namespace

ConsoleLog::ConsoleLog(const std::string& folder, const std::string& command, Scope scope) : scope_(scope) {
  const std::string path = folder + "/console.log";
  std::error_code ec;
  const bool earlier = std::filesystem::file_size(path, ec) > 0 && !ec;
  file_.open(path, std::ios::app);
  if (!file_) throw std::runtime_error("cannot open " + path + " for appending");
  line("===== " + std::string(earlier ? "resumed " : "started ") + utc_now() + " (" + command + ") =====");
  if (scope_ == Scope::kProcess) {
    sink().add(this);
  } else {
    sink();  // installed once, whoever comes first
    t_thread_log = this;
  }
}

ConsoleLog::~ConsoleLog() {
  if (scope_ == Scope::kProcess) {
    sink().remove(this);
  } else if (t_thread_log == this) {
    t_thread_log = nullptr;
  }
}

void ConsoleLog::line(const std::string& text) {
  std::lock_guard<std::mutex> g(mu_);
  file_ << text << "\n";
  file_.flush();
}

}  // namespace bigpe::engine
