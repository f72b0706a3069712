#pragma once
// HttpTestServer: a tiny HTTP/1.1 server on 127.0.0.1 for tests of HTTP
// clients. It answers each request with the next scripted response (or the
// default one), one request per connection ("Connection: close"), a thread
// per connection, and records what it saw: the requests and the largest
// number of requests it was handling at the same moment.
//
// Two scripted behaviours replace sleeps: `hang` never answers (until the
// client gives up and closes, or the server stops), which makes a client
// time out; hold_until_concurrent(n) makes every request wait until n
// requests are waiting together, so a concurrency test observes overlap
// without timing.
//
// Thread-safety: every public method is safe to call from any thread.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bigpe::testing {

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hang = false;  // never answer; see above
};

struct HttpRequest {
  std::string method;
  std::string target;                         // "/v1/chat/completions"
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
};

// The body of an OpenAI chat-completion answer with `content` (JSON-escaped
// already) and its `usage`, as the OpenAI-compatible servers send it.
inline std::string chat_completion_body(const std::string& content, int prompt_tokens = 3,
                                        int completion_tokens = 4) {
  return R"({"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":")" +
         content + R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":)" + std::to_string(prompt_tokens) +
         R"(,"completion_tokens":)" + std::to_string(completion_tokens) + "}}";
}

class HttpTestServer {
 public:
  // Binds 127.0.0.1 on an ephemeral port and starts accepting. Throws
  // std::runtime_error naming the failing system call.
  HttpTestServer();
  // Stops accepting, releases hanging and held requests, joins all threads.
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Scripted responses are used in order; when none is left, the default.
  void enqueue(HttpResponse response);
  void set_default(HttpResponse response);
  // 0 (the default) disables holding.
  void hold_until_concurrent(int n);

  std::vector<HttpRequest> requests() const;
  int request_count() const;
  int max_concurrent() const;

 private:
  void accept_loop();
  void serve(int fd);
  bool read_request(int fd, HttpRequest* out);
  void wait_for_close(int fd);

  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread acceptor_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::deque<HttpResponse> script_;
  HttpResponse default_;
  std::vector<HttpRequest> requests_;
  int hold_n_ = 0;
  int held_ = 0;
  uint64_t release_generation_ = 0;
  int active_ = 0;
  int max_active_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace bigpe::testing
