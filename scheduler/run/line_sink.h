#pragma once
// LineSink: an std::ostream that hands each complete line to a callback.
// A campaign gives one to each experiment thread, so the experiment's
// output goes to its own log file and selected lines reach the shared
// console, prefixed, without interleaving mid-line.
//
// Thread-safety: one LineSink per thread; the callback must be safe to call
// from several threads (each LineSink calls it from its owner's thread).
#include <functional>
#include <ostream>
#include <streambuf>
#include <string>

namespace bigpe::engine {

class LineSink : public std::ostream {
 public:
  using Callback = std::function<void(const std::string& line)>;
  explicit LineSink(Callback callback) : std::ostream(&buf_), buf_(std::move(callback)) {}
  ~LineSink() override { buf_.flush_partial(); }

 private:
  class Buffer : public std::streambuf {
   public:
    explicit Buffer(Callback cb) : cb_(std::move(cb)) {}
    void flush_partial() {
      if (!line_.empty()) cb_(line_);
      line_.clear();
    }

   protected:
    int_type overflow(int_type ch) override {
      if (ch == traits_type::eof()) return traits_type::not_eof(ch);
      if (ch == '\n') {
        cb_(line_);
        line_.clear();
      } else {
        line_ += static_cast<char>(ch);
      }
      return ch;
    }

   private:
    Callback cb_;
    std::string line_;
  };
  Buffer buf_;
};

}  // namespace bigpe::engine
