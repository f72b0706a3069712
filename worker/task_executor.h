#pragma once
// TaskExecutor: what a worker does with the tasks the broker gave it, minus
// the networking. For a batch of tasks it decodes each RenderTask, looks
// every item up in the result cache (one round trip for the whole batch),
// renders each task's misses as one renderer batch, scores them, writes the
// images to the artifact store, stores every new record (one round trip for
// the whole batch) and only then builds the replies. A result is therefore
// in Redis before the broker hears of it.
//
// A task is executed only by the backend identity it names
// (backends/backend_identity.h): one naming another identity fails without
// touching the cache, since its keys promise results of other backends.
//
// A task that fails (undecodable body, another identity, renderer or scorer
// error, disk or Redis error) gets a reply with `error` set and the reason;
// other tasks of the batch are unaffected, and nothing escapes as an
// exception. A lost Redis connection is also told by redis_lost(), for the
// worker to act on. A task refused by rule before anything runs (a prompt
// over the limit, a render option that neither backend reads, params
// outside the renderer's limits) is marked `permanent`: the broker then
// fails it at once instead of retrying. Another identity is not permanent:
// another worker may hold the identity the task names.
//
// Several scorers (worker/scorer_set.h): every item gets every scorer's
// score. Its image and each score are also stored apart (schemas/README.md
// section 7.3), so an item whose result record is missing but whose image
// record or some score records are present is only scored by the scorers
// that lack a score: from the record's prompt and seed when none of them
// reads pixels, else from the stored PNG, else (no pixels anywhere) by
// rendering it again, which counts as a render. With one scorer the worker
// looks up and stores exactly what it did before there could be several.
//
// Not thread-safe: one executor per compute thread (it drives a renderer,
// scorers and a Redis connection, none of which is shared).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schemas/messages.h"
#include "backends/renderer.h"
#include "backends/scorer.h"
#include "worker/artifact_store.h"
#include "worker/scorer_set.h"
#include "common/redis/result_cache.h"

namespace bigpe {

class TaskExecutor {
 public:
  // cache and artifacts may be null: no Redis (nothing looked up or stored)
  // and no image files. A task with a prompt longer than max_prompt_chars
  // (0: no limit) fails without rendering anything (prompt_limit.h).
  // REQUIRES: everything passed outlives the executor.
  TaskExecutor(std::string worker_id, Renderer& renderer, Scorer& scorer, ResultCache* cache,
               const ArtifactStore* artifacts, std::size_t max_prompt_chars = 0);
  // Several scorers, in this order (the first one's score is each item's
  // `score`). Throws std::invalid_argument as ScorerSet does.
  TaskExecutor(std::string worker_id, Renderer& renderer, std::vector<Scorer*> scorers, ResultCache* cache,
               const ArtifactStore* artifacts, std::size_t max_prompt_chars = 0);

  struct Outcome {
    schemas::Result reply;  // error set when the task failed
    int items = 0;
    int renders = 0;
    int cache_hits = 0;
  };

  // One outcome per task, in order. Never throws.
  std::vector<Outcome> run(const std::vector<schemas::Task>& tasks);
  // Why the last run() could not reach Redis (its connection failed past
  // the client's reconnect window, not a command): the tasks that needed
  // it failed with that reason. Empty when Redis answered.
  const std::string& redis_lost() const { return redis_lost_; }

  // backend_identity(renderer, scorers), fixed at construction.
  const std::string& identity() const { return scorers_.identity(); }
  // The render params the renderer accepts, as READY advertises them.
  schemas::RenderLimits limits() const { return renderer_.limits(); }

 private:
  struct Job;
  void execute(Job& job);
  // execute() with several scorers: parts looked up, only what is missing
  // rendered or scored (task_executor_scores.cpp).
  void execute_several(Job& job);
  // The Redis keys of a job's items for the lookup of the batch.
  void lookup_keys(const Job& job, std::vector<std::string>& results, std::vector<std::string>& images) const;
  // The refusal of the first option in `options` that neither backend reads
  // (and is not under "cache."), naming it; nullopt when all are read.
  std::optional<std::string> unknown_option(const std::map<std::string, std::string>& options) const;

  std::string worker_id_;
  Renderer& renderer_;
  ScorerSet scorers_;
  ResultCache* cache_;
  const ArtifactStore* artifacts_;
  std::size_t max_prompt_chars_;
  std::set<std::string> known_options_;  // renderer's and scorer's option_names()
  std::string redis_lost_;
};

}  // namespace bigpe
