#include "common/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

namespace bigpe {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

// "SET bigpe:result:ab12": the command word and, when present, its first
// argument (usually the key). AUTH's arguments are secrets and never shown.
std::string describe(const std::vector<std::string>& argv) {
  if (argv.empty()) return "(empty command)";
  std::string name;
  for (char c : argv[0]) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name == "AUTH" || argv.size() < 2) return name;
  std::string key = argv[1].substr(0, 120);
  for (char& c : key)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  return name + " " + key + (argv[1].size() > 120 ? "..." : "");
}

// A server-closed connection: the command most likely never ran, so a
// resend on a fresh connection is safe (at most kClosedResends of them). Timeouts are not in this class: the
// command may have run.
constexpr int kClosedResends = 3;

bool is_closed_connection(const redisContext* c) {
  return c->err == REDIS_ERR_EOF ||
         (c->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
}

}  // namespace

struct RedisClient::Impl {
  redisContext* ctx = nullptr;
  bool broken = true;
  bool connect_failed = false;  // the last connect() failed before AUTH (refused, unreachable)
  ~Impl() { reset(); }
  void reset() {
    if (ctx) redisFree(ctx);
    ctx = nullptr;
    broken = true;
  }
};

RedisClient::RedisClient(RedisOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  // hiredis writes with write(2): a server that went away would raise
  // SIGPIPE and kill the process instead of giving us an error to handle.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] {
    struct sigaction old {};
    if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
  });
  connect();
}

RedisClient::~RedisClient() = default;

void RedisClient::connect() {
  impl_->reset();
  const std::string where = "redis " + options_.url_without_password();
  redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                            to_timeval(options_.connect_timeout));
  if (c == nullptr) throw RedisError(where + ": connect: out of memory");
  impl_->connect_failed = c->err != 0;
  if (c->err) {
    std::string reason = c->errstr;
    redisFree(c);
    throw RedisConnectionError(where + ": connect: " + reason);
  }
  impl_->ctx = c;
  if (redisSetTimeout(c, to_timeval(options_.command_timeout)) != REDIS_OK) {
    impl_->reset();
    throw RedisError(where + ": cannot set the command timeout");
  }
  impl_->broken = false;
  auto setup = [&](const std::vector<std::string>& argv, const std::string& what) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    if (raw == nullptr) {
      std::string reason = c->errstr;
      impl_->reset();
      throw RedisError(where + ": " + what + ": " + reason);
    }
    RedisReply reply = convert(raw);
    freeReplyObject(raw);
    if (reply.is_error()) {
      impl_->reset();
      throw RedisError(where + ": " + what + ": " + reply.str);
    }
  };
  if (!options_.password.empty()) setup({"AUTH", options_.password}, "AUTH");
  if (options_.db != 0) setup({"SELECT", std::to_string(options_.db)}, "SELECT " + std::to_string(options_.db));
}

void RedisServerGone::declare(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reason_.empty()) reason_ = reason;
}

std::string RedisServerGone::reason() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reason_;
}

void RedisClient::reconnect() {
  const auto deadline = std::chrono::steady_clock::now() + options_.reconnect_window;
  std::chrono::milliseconds pause(50);
  for (;;) {
    // Its owner knows it will not come back: waiting would only delay the
    // error by the whole window.
    if (options_.gone)
      if (std::string why = options_.gone->reason(); !why.empty())
        throw RedisConnectionError("redis " + options_.url_without_password() + ": " + why);
    try {
      connect();
      return;
    } catch (const RedisError&) {
      // Only a refused or failed TCP connect is worth waiting out (a server
      // restarting); AUTH or SELECT errors will not go away.
      if (!impl_->connect_failed || std::chrono::steady_clock::now() + pause > deadline) throw;
    }
    std::this_thread::sleep_for(pause);  // backoff between attempts
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

std::vector<RedisReply> RedisClient::pipeline(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return {};
  const std::string where = "redis " + options_.url_without_password();
  const std::string what =
      commands.size() == 1 ? describe(commands[0])
                           : "pipeline of " + std::to_string(commands.size()) + " commands starting with " +
                                 describe(commands[0]);
  for (const auto& argv : commands)
    if (argv.empty()) throw RedisError(where + ": " + what + ": an empty command");

  // A server restarted from its append-only file answers LOADING until the
  // file is read: waited out like a refused connection.
  const auto loading_deadline = std::chrono::steady_clock::now() + options_.reconnect_window;
  std::chrono::milliseconds loading_pause(20);
  for (int attempt = 0;; ++attempt) {
    if (impl_->broken) {
      try {
        reconnect();
      } catch (const RedisConnectionError& e) {
        throw RedisConnectionError(std::string(e.what()) + " (while sending " + what + ")");
      } catch (const RedisError& e) {
        throw RedisError(std::string(e.what()) + " (while sending " + what + ")");
      }
    }
    redisContext* c = impl_->ctx;
    bool failed = false;
    for (const auto& argv : commands) {
      std::vector<const char*> ptrs;
      std::vector<size_t> lens;
      ptrs.reserve(argv.size());
      lens.reserve(argv.size());
      for (const auto& a : argv) {
        ptrs.push_back(a.data());
        lens.push_back(a.size());
      }
      if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()) != REDIS_OK) {
        failed = true;
        break;
      }
    }
    std::vector<RedisReply> replies;
    replies.reserve(commands.size());
    while (!failed && replies.size() < commands.size()) {
      void* raw = nullptr;
      if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
        failed = true;
        break;
      }
      replies.push_back(convert(static_cast<redisReply*>(raw)));
      freeReplyObject(raw);
    }
    if (!failed) {
      // Every reply LOADING: none of the commands ran, so resending is safe.
      const bool loading = std::all_of(replies.begin(), replies.end(), [](const RedisReply& r) {
        return r.is_error() && r.str.rfind("LOADING", 0) == 0;
      });
      if (!loading || std::chrono::steady_clock::now() + loading_pause > loading_deadline) return replies;
      std::this_thread::sleep_for(loading_pause);  // backoff while the server reads its file
      loading_pause = std::min(loading_pause * 2, std::chrono::milliseconds(500));
      --attempt;  // not a closed connection
      continue;
    }

    bool closed = is_closed_connection(c);
    int saved_errno = errno;
    std::string reason = c->errstr;
    if (c->err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK))
      reason = "timed out after " + std::to_string(options_.command_timeout.count()) + " ms";
    // A context that saw an error cannot be used again (replies may be
    // half-read): the next call reconnects.
    impl_->reset();
    // Resent more than once because a server dying under a SIGKILL can
    // still accept the reconnect (the kernel completes it on the listening
    // socket) and then reset it: that command never reached a live server.
    if (closed && replies.empty() && attempt < kClosedResends) {
      spdlog::debug("{}: connection closed by the server; reconnecting to resend {}", where, what);
      continue;
    }
    throw RedisConnectionError(where + ": " + what + ": " + reason);
  }
}

RedisReply RedisClient::command(const std::vector<std::string>& argv) {
  RedisReply reply = std::move(pipeline({argv}).at(0));
  if (reply.is_error())
    throw RedisError("redis " + options_.url_without_password() + ": " + describe(argv) + ": " + reply.str);
  return reply;
}

std::vector<RedisReply> RedisClient::transaction(const std::vector<std::vector<std::string>>& commands) {
  std::vector<std::vector<std::string>> all;
  all.reserve(commands.size() + 2);
  all.push_back({"MULTI"});
  for (const auto& c : commands) all.push_back(c);
  all.push_back({"EXEC"});
  std::vector<RedisReply> replies = pipeline(all);
  const std::string where = "redis " + options_.url_without_password() + ": transaction";
  // A command refused while queueing (wrong arity, unknown command) makes
  // EXEC fail with EXECABORT; name the first one that was refused.
  for (std::size_t i = 1; i + 1 < replies.size(); ++i)
    if (replies[i].is_error())
      throw RedisError(where + ": command " + std::to_string(i) + " (" + describe(commands[i - 1]) +
                       "): " + replies[i].str);
  const RedisReply& exec = replies.back();
  if (replies.front().is_error()) throw RedisError(where + ": MULTI: " + replies.front().str);
  if (exec.is_error()) throw RedisError(where + ": EXEC: " + exec.str);
  if (exec.is_nil()) throw RedisError(where + ": aborted (a WATCHed key changed)");
  for (std::size_t i = 0; i < exec.elements.size() && i < commands.size(); ++i)
    if (exec.elements[i].is_error())
      throw RedisError(where + ": command " + std::to_string(i + 1) + " (" + describe(commands[i]) +
                       "): " + exec.elements[i].str);
  return exec.elements;
}

// ---- URL ----

namespace {

std::string percent_decode(const std::string& s, const std::string& what) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      throw std::invalid_argument(what + ": bad percent escape");
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

bool parse_int(const std::string& s, long long lo, long long hi, long long* out) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  long long v = std::stoll(s);
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

RedisOptions RedisOptions::from_url(const std::string& url) {
  const std::string scheme = "redis://";
  // The url may hold a password: messages show it only up to the '@'.
  std::string shown = url;
  std::size_t at = url.rfind('@');
  if (at != std::string::npos) shown = scheme + "***" + url.substr(at);
  const std::string prefix = "redis url '" + shown + "'";

  if (url.compare(0, scheme.size(), scheme) != 0)
    throw std::invalid_argument(prefix + ": must start with redis://");
  std::string rest = url.substr(scheme.size());
  RedisOptions o;

  if (at != std::string::npos) {
    std::string userinfo = rest.substr(0, at - scheme.size());
    rest = rest.substr(at - scheme.size() + 1);
    std::size_t colon = userinfo.find(':');
    std::string user = colon == std::string::npos ? userinfo : userinfo.substr(0, colon);
    if (colon == std::string::npos)
      throw std::invalid_argument(prefix + ": the part before '@' must be ':password'");
    if (!user.empty() && user != "default")
      throw std::invalid_argument(prefix + ": user names other than 'default' are not supported");
    o.password = percent_decode(userinfo.substr(colon + 1), prefix + ": password");
  }

  std::string hostport = rest;
  std::string db_text;
  std::size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    db_text = rest.substr(slash + 1);
  }
  std::string port_text;
  if (!hostport.empty() && hostport[0] == '[') {
    std::size_t close = hostport.find(']');
    if (close == std::string::npos) throw std::invalid_argument(prefix + ": host: missing ']'");
    o.host = hostport.substr(1, close - 1);
    std::string after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') throw std::invalid_argument(prefix + ": expected ':port' after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) throw std::invalid_argument(prefix + ": port: empty");
    }
  } else {
    std::size_t colon = hostport.find(':');
    o.host = hostport.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = hostport.substr(colon + 1);
      if (port_text.empty()) throw std::invalid_argument(prefix + ": port: empty");
    }
  }
  if (o.host.empty()) throw std::invalid_argument(prefix + ": host: empty");
  if (!port_text.empty()) {
    long long port = 0;
    if (!parse_int(port_text, 1, 65535, &port))
      throw std::invalid_argument(prefix + ": port '" + port_text + "' is not a number in 1..65535");
    o.port = static_cast<int>(port);
  }
  if (!db_text.empty()) {
    long long db = 0;
    if (!parse_int(db_text, 0, 1000000, &db))
      throw std::invalid_argument(prefix + ": database '" + db_text + "' is not a non-negative number");
    o.db = static_cast<int>(db);
  }
  if (o.password.empty()) {
    if (const char* env = std::getenv("BIGPE_REDIS_PASSWORD")) o.password = env;
  }
  if (o.password.empty()) {
    const char* file = std::getenv("BIGPE_REDIS_PASSWORD_FILE");
    if (file != nullptr && *file != '\0') o.password = read_password_file(file);
  }
  return o;
}

std::string RedisOptions::read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("redis password file " + path + ": cannot read it");
  std::string password;
  std::getline(in, password);  // the first line; a trailing newline is not part of it
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) throw std::invalid_argument("redis password file " + path + ": empty first line");
  return password;
}

std::string RedisOptions::url_without_password() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string out = "redis://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

}  // namespace bigpe
