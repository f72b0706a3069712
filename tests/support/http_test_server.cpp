#include "tests/support/http_test_server.h"
#include "common/text_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bigpe::testing {

namespace {

[[noreturn]] void sys_fail(const char* call) {
  throw std::runtime_error(std::string("HttpTestServer: ") + call + " failed: " + std::strerror(errno));
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

HttpTestServer::HttpTestServer() {
  if (::pipe(stop_pipe_) != 0) sys_fail("pipe");
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listen_fd_ < 0) sys_fail("socket");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // ephemeral: tests never collide on a port
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) sys_fail("bind");
  if (::listen(listen_fd_, 64) != 0) sys_fail("listen");
  socklen_t len = sizeof addr;
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) sys_fail("getsockname");
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HttpTestServer::~HttpTestServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  char b = 'x';
  (void)!::write(stop_pipe_[1], &b, 1);  // wakes the acceptor and hanging handlers
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  ::close(listen_fd_);
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

void HttpTestServer::enqueue(HttpResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(response));
}

void HttpTestServer::set_default(HttpResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  default_ = std::move(response);
}

void HttpTestServer::hold_until_concurrent(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  hold_n_ = n;
}

std::vector<HttpRequest> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int HttpTestServer::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(requests_.size());
}

int HttpTestServer::max_concurrent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_active_;
}

void HttpTestServer::accept_loop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

bool HttpTestServer::read_request(int fd, HttpRequest* out) {
  std::string buf;
  char chunk[4096];
  std::size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  std::string head = buf.substr(0, header_end);
  std::size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  std::size_t sp1 = request_line.find(' ');
  std::size_t sp2 = request_line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
  out->method = request_line.substr(0, sp1);
  out->target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      out->headers[lower(line.substr(0, colon))] = value;
    }
    pos = e + 2;
  }
  std::size_t length = 0;
  if (auto it = out->headers.find("content-length"); it != out->headers.end())
    length = std::stoul(it->second);
  out->body = buf.substr(header_end + 4);
  while (out->body.size() < length) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    out->body.append(chunk, static_cast<std::size_t>(n));
  }
  return true;
}

// Returns when the peer closes (or errors) or the server stops.
void HttpTestServer::wait_for_close(int fd) {
  char chunk[256];
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents) return;
    if (fds[0].revents) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return;
    }
  }
}

void HttpTestServer::serve(int fd) {
  HttpRequest request;
  if (!read_request(fd, &request)) {
    ::close(fd);
    return;
  }
  HttpResponse response;
  {
    std::unique_lock<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (!script_.empty()) {
      response = script_.front();
      script_.pop_front();
    } else {
      response = default_;
    }
    ++active_;
    max_active_ = std::max(max_active_, active_);
    if (hold_n_ > 0 && !response.hang) {
      // Released together once hold_n_ requests wait; counted down before
      // answering, so a client's next request never sees a stale count.
      ++held_;
      const uint64_t generation = release_generation_;
      if (held_ >= hold_n_) {
        held_ = 0;
        ++release_generation_;
        cv_.notify_all();
      } else {
        cv_.wait(lock, [&] { return stopping_ || release_generation_ != generation; });
      }
    }
    if (!response.hang) --active_;
  }
  if (response.hang) {
    wait_for_close(fd);
    std::lock_guard<std::mutex> lock(mu_);
    --active_;
  } else {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                      reason_phrase(response.status) + "\r\n";
    bool has_type = false;
    for (const auto& [k, v] : response.headers) {
      out += k + ": " + v + "\r\n";
      has_type = has_type || lower(k) == "content-type";
    }
    if (!has_type) out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    out += response.body;
    send_all(fd, out);
  }
  ::close(fd);
}

}  // namespace bigpe::testing
