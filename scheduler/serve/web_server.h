#pragma once
// `bigpe serve`: the live web view (docs/serve.md). An HTTP server
// (cpp-httplib) on loopback by default, with pages (index, experiment,
// campaign, workers; served from the binary, chart.js from Debian's
// libjs-chart.js) and the JSON endpoints behind them. It only reads: the
// experiments, campaigns, iteration records and events in Redis
// (data_sources.h), the broker's STATUS, and the PNGs under the run
// folders' images/ (image_files.h).
//
// Every request target is parsed first (request_target.h): a hostile one
// is a 400 naming what was wrong. An unknown experiment or campaign is a
// 404 naming it; a source that cannot be read (Redis down) a 503 with its
// reason; anything a handler throws a 500. The server keeps running
// through all of them, and a run it serves never notices.
//
// Thread-safety: construct, url() and stop() from one thread; requests are
// handled on the server's own threads.
#include <memory>
#include <string>

#include "scheduler/serve/data_sources.h"

namespace bigpe::serve {

struct ServeOptions {
  std::string redis_url;                 // --redis
  std::string runs_dir;                  // --runs
  std::string listen = "127.0.0.1:8080";  // --listen HOST:PORT (port 0: any free port)
  std::string token_file;                // --token-file
  std::string broker;                    // --broker: for /api/workers with --redis
  std::string curve_key, broker_key;     // CURVE keys for that broker
  std::vector<Source> extra_sources;     // serve=true: the run's own live Redis and folder
};

class WebServer {
 public:
  // Binds and starts serving on a thread of its own. Throws
  // std::runtime_error naming the option that is wrong (--listen,
  // --runs, --token-file) or the address that could not be bound.
  explicit WebServer(const ServeOptions& options);
  ~WebServer();  // stops
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // http://HOST:PORT/ as bound (the real port when 0 was asked for).
  std::string url() const;
  // Blocks until stop() is called from another thread (or a signal handler
  // arranges it).
  void wait();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "HOST:PORT"; throws std::runtime_error naming the text.
std::pair<std::string, int> parse_listen(const std::string& text);

}  // namespace bigpe::serve
