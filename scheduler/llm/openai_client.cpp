#include "scheduler/llm/openai_client.h"

#include <spdlog/spdlog.h>

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common/json_access.h"
#include "common/json_strict.h"
#include "common/seeded_rng.h"

namespace bigpe {

namespace {

using nlohmann::ordered_json;

// Upper bound on a server-requested Retry-After, so a misbehaving proxy
// cannot park a run for hours.
constexpr double kMaxRetryAfterS = 600;
constexpr std::size_t kMaxBodyInError = 300;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string excerpt(const std::string& body) {
  std::string e = body.substr(0, kMaxBodyInError);
  std::replace(e.begin(), e.end(), '\n', ' ');
  return body.size() > kMaxBodyInError ? e + "..." : e;
}

// An error body's most useful text: OpenAI-style {"error": {"message"}} when
// present, else the body's start.
std::string error_reason(const std::string& body) {
  try {
    const ordered_json v = json::parse_strict(body);
    if (v.is_object())
      if (auto err = v.find("error"); err != v.end()) {
        if (err->is_string()) return err->get<std::string>();
        if (err->is_object())
          if (auto msg = err->find("message"); msg != err->end() && msg->is_string())
            return msg->get<std::string>();
      }
  } catch (const json::JsonError&) {
  }
  return excerpt(body);
}

bool is_json(const std::string& body) {
  try {
    (void)json::parse_strict(body);
    return true;
  } catch (const json::JsonError&) {
    return false;
  }
}

size_t append_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t note_header(char* data, size_t size, size_t n, void* user) {
  static const char kName[] = "retry-after:";
  std::string line(data, size * n);
  if (line.size() >= sizeof(kName) - 1) {
    std::string head = line.substr(0, sizeof(kName) - 1);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    if (head == kName) *static_cast<bool*>(user) = true;
  }
  return size * n;
}

bool retryable_curl_error(CURLcode c) {
  switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

}  // namespace

// Counting semaphore (std::counting_semaphore is C++20).
class OpenAiClient::Semaphore {
 public:
  explicit Semaphore(int n) : free_(n) {}
  void acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

struct OpenAiClient::Attempt {
  CURLcode curl = CURLE_OK;
  std::string curl_error;
  long status = 0;
  std::string body;
  bool has_retry_after = false;
  double retry_after_s = 0;
};

OpenAiClient::OpenAiClient(OpenAiOptions options) : options_(std::move(options)) {
  init_curl_once();
  auto bad = [](const std::string& what) { throw LlmError("openai client: " + what); };
  if (options_.base_url.empty()) bad("llm.openai.base_url is empty");
  if (options_.model.empty()) bad("llm.openai.model is empty");
  if (!(options_.timeout_s > 0)) bad("timeout_s must be positive");
  if (options_.max_retries < 0) bad("max_retries must be >= 0");
  if (!(options_.backoff_initial_s >= 0) || !(options_.backoff_max_s >= options_.backoff_initial_s))
    bad("backoff times must satisfy 0 <= backoff_initial_s <= backoff_max_s");
  if (options_.max_concurrent < 1) bad("max_concurrent must be >= 1");
  if (options_.max_tokens < 1) bad("max_tokens must be >= 1");
  std::string base = trim_slashes(options_.base_url);
  endpoint_ = ends_with(base, "/v1") ? base + "/chat/completions" : base + "/v1/chat/completions";
  if (!options_.api_key_env.empty()) {
    const char* key = std::getenv(options_.api_key_env.c_str());
    if (key == nullptr || *key == '\0')
      bad("environment variable " + options_.api_key_env + " (api_key_env) is not set");
    api_key_ = key;
  }
  slots_ = std::make_unique<Semaphore>(options_.max_concurrent);
}

OpenAiClient::~OpenAiClient() = default;

OpenAiClient::Attempt OpenAiClient::post_once(const std::string& body) const {
  Attempt a;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    a.curl = CURLE_FAILED_INIT;
    a.curl_error = "curl_easy_init failed";
    return a;
  }
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::string auth;
  if (!api_key_.empty()) {
    auth = "Authorization: Bearer " + api_key_;
    headers = curl_slist_append(headers, auth.c_str());
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(std::ceil(options_.timeout_s * 1000.0));
  curl_easy_setopt(curl, CURLOPT_URL, endpoint_.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // signals and threads do not mix
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, note_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a.has_retry_after);
  a.curl = curl_easy_perform(curl);
  if (a.curl == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
    curl_off_t wait = 0;
    if (a.has_retry_after && curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &wait) == CURLE_OK)
      a.retry_after_s = std::clamp(static_cast<double>(wait), 0.0, kMaxRetryAfterS);
  } else {
    a.curl_error = errbuf[0] ? errbuf : curl_easy_strerror(a.curl);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return a;
}

ChatResponse OpenAiClient::complete(const ChatRequest& request) {
  const std::string body = chat_request_json(request, options_.model, options_.max_tokens);
  const std::string where = "openai POST " + endpoint_;
  // Jitter needs no reproducibility, only spread between threads and runs.
  static std::atomic<uint64_t> calls{0};
  SeededRng jitter("openai-jitter|" + std::to_string(calls++) + "|" +
                   std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::string last_failure;
  const int attempts = options_.max_retries + 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    const auto start = std::chrono::steady_clock::now();
    slots_->acquire();
    Attempt a;
    try {
      a = post_once(body);
    } catch (...) {
      slots_->release();
      throw;
    }
    slots_->release();
    const double latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    bool retry = false;
    if (a.curl != CURLE_OK) {
      last_failure = "transport error: " + a.curl_error;
      if (!retryable_curl_error(a.curl)) throw LlmError(where + ": " + last_failure);
      retry = true;
    } else if (a.status == 200) {
      try {
        ChatResponse r = parse_chat_response(a.body);
        r.latency_ms = latency_ms;
        return r;
      } catch (const LlmError& e) {
        // A body that is not JSON at all was cut or garbled on the way (a
        // proxy, a dropped connection): asking again may well succeed. Valid
        // JSON of the wrong shape will not change, so it fails at once.
        if (is_json(a.body)) throw LlmError(where + ": HTTP 200 with an unusable body: " + e.what());
        last_failure = std::string("HTTP 200 with a body that is not JSON (truncated?): ") + e.what();
        retry = true;
      }
    } else {
      last_failure = "HTTP " + std::to_string(a.status) + ": " + error_reason(a.body);
      if (a.status != 429 && a.status < 500) throw LlmError(where + ": " + last_failure);
      retry = true;
    }
    if (retry && attempt + 1 < attempts) {
      double delay;
      if (a.has_retry_after) {
        delay = a.retry_after_s;
      } else {
        const double exp = options_.backoff_initial_s * std::pow(2.0, attempt);
        delay = std::min(options_.backoff_max_s, exp) * (0.5 + 0.5 * jitter.uniform());
      }
      spdlog::info("{}: attempt {}/{} failed ({}); retrying in {:.1f} s", where, attempt + 1, attempts, last_failure,
                   delay);
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    }
  }
  throw LlmError(where + ": gave up after " + std::to_string(attempts) + " attempts; last: " +
                 last_failure);
}

std::string chat_request_json(const ChatRequest& request, const std::string& default_model,
                              int max_tokens_cap) {
  ordered_json v = ordered_json::object();
  v["model"] = request.model.empty() ? default_model : request.model;
  ordered_json messages = ordered_json::array();
  for (const ChatMessage& m : request.messages) {
    ordered_json msg = ordered_json::object();
    msg["role"] = m.role;
    msg["content"] = m.content;
    messages.push_back(std::move(msg));
  }
  v["messages"] = std::move(messages);
  v["temperature"] = request.temperature;
  v["max_tokens"] = request.max_tokens > 0 ? std::min(request.max_tokens, max_tokens_cap) : max_tokens_cap;
  return json::dump_strict(v);
}

ChatResponse parse_chat_response(const std::string& body) {
  ordered_json v;
  try {
    v = json::parse_strict(body);
  } catch (const json::JsonError& e) {
    throw LlmError(std::string("response is not JSON (") + e.what() + ")");
  }
  auto field = [](const ordered_json& obj, const char* name, const char* path) -> const ordered_json& {
    if (!obj.is_object()) throw LlmError(std::string("response field ") + path + " is not an object");
    auto f = obj.find(name);
    if (f == obj.end()) throw LlmError(std::string("response lacks ") + path + "." + name);
    return *f;
  };
  const ordered_json& choices = field(v, "choices", "$");
  if (!choices.is_array() || choices.empty())
    throw LlmError("response field choices is not a non-empty array");
  const ordered_json& message = field(choices[0], "message", "choices[0]");
  const ordered_json& content = field(message, "content", "choices[0].message");
  if (!content.is_string())
    throw LlmError(std::string("response field choices[0].message.content is ") + json::type_name(content) +
                   ", not a string");
  ChatResponse r;
  r.text = content.get<std::string>();
  if (auto usage = v.find("usage"); usage != v.end() && usage->is_object()) {
    auto count = [&](const char* name) -> int {
      auto n = usage->find(name);
      if (n == usage->end() || n->is_null()) return 0;
      // A non-negative integer literal parses as unsigned; 7.0 or 7.5 is no count.
      if (!n->is_number_unsigned() || n->get<uint64_t>() > uint64_t(INT_MAX))
        throw LlmError(std::string("response field usage.") + name + " is not a count");
      return static_cast<int>(n->get<uint64_t>());
    };
    r.prompt_tokens = count("prompt_tokens");
    r.completion_tokens = count("completion_tokens");
  }
  return r;
}

}  // namespace bigpe
