#pragma once
// The JSON of /api/experiments and /api/experiments/<id> (docs/serve.md):
// what `bigpe status` shows of an experiment (experiment_view.h) plus, for
// one experiment, its curve (best and mean batch score per iteration with
// 95% t-intervals over its arms and over the best arm's queries), the
// instruction lineage with each instruction's text and scores, the latest
// iteration's contrast pairs and gradient text, and the latest images with
// their scores (the held-out evaluation's plain / I0 / professional / final
// once it is stored, else the latest iteration's professional prompts and
// arms). Images are named by their URL under /images/.
//
// Thread-safety: one thread (it drives a RedisClient).
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/redis/redis_client.h"
#include "scheduler/report/experiment_view.h"

namespace bigpe::serve {

nlohmann::ordered_json experiment_summary_json(const engine::ExperimentView& v);

// nullopt when this Redis does not hold the experiment. Throws
// schemas::DecodeError or std::runtime_error naming a record that does not
// decode.
std::optional<nlohmann::ordered_json> experiment_detail_json(RedisClient& redis, const std::string& id,
                                                             bool owner_gone);

// "/images/<experiment>/<file>.png" for a worker's image path
// "<infra>/images/<experiment>/<file>.png"; "" for anything else.
std::string image_url(const std::string& path);

}  // namespace bigpe::serve
