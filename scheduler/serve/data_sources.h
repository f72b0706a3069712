#pragma once
// Where `bigpe serve` reads: a Redis named by URL (--redis), the run and
// campaign folders under --runs (rescanned on each request, so new runs
// appear), and for `bigpe run ... serve=true` the run's own live Redis.
//
// A folder that a process runs is read through its live services
// (live.json); a folder nobody runs is opened for the one request
// (store_access.h: its private redis-server starts on its files and stops
// after), so the server never holds a folder's lock between requests and a
// `bigpe resume` is never kept out for longer than one request.
//
// Every read goes through for_each(), one request at a time (a mutex):
// folder stores belong to the thread that opens them, and two requests
// must not race for one folder's lock. A source that cannot be read (Redis
// down, a folder starting up or gone) is reported with its reason, and the
// others are still read.
//
// Thread-safety: for_each() and image_roots() may be called from any thread.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"

namespace bigpe::serve {

struct Source {
  std::string label;   // the URL or folder, for error messages
  std::string url;     // redis://... or empty for a folder source
  std::string folder;  // infra folder (holds images/); may be empty for a URL source
  std::string redis_setting;  // folder sources: the run's `redis` key
  std::string broker;  // client endpoint for STATUS; a live folder's own when empty
};

// What a reader gets for one source.
struct SourceView {
  RedisClient& redis;
  bool owner_gone;  // the reader started the folder's redis-server (nobody runs it)
  const Source& source;
  std::string broker;  // the broker to ask for STATUS; empty when none is known
};

struct SourceError {
  std::string source;
  std::string message;
};

class DataSources {
 public:
  // `runs_dir`: a run or campaign folder, or a folder of them (empty: none).
  // Throws std::runtime_error naming runs_dir when it is not a directory.
  DataSources(std::vector<Source> fixed, std::string runs_dir);

  using Reader = std::function<void(const SourceView& view)>;
  // Returns the sources that could not be read, each with its reason (a
  // RedisError, a folder that would not open, a record that does not decode).
  std::vector<SourceError> for_each(const Reader& read);
  // Number of sources the last for_each saw (0: nothing configured or found).
  std::size_t last_count() const;

  // Infra folders whose images/ may be served: the fixed ones with a
  // folder and every folder under --runs now (a scan, no Redis).
  std::vector<std::string> image_roots() const;

 private:
  std::vector<Source> scan() const;

  std::vector<Source> fixed_;
  std::string runs_dir_;
  mutable std::mutex mu_;
  std::size_t last_count_ = 0;
};

}  // namespace bigpe::serve
