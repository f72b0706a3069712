#pragma once
// The JSON of /api/campaigns and /api/campaigns/<id> (docs/serve.md): each
// campaign's status and progress over its experiments, and for one
// campaign the Table-1-style grid: per variant the mean over its repeats,
// with the 95% t-interval of repeat_interval.h (the rule of summary.md), of
// the first and last iteration's best batch scores, the held-out score of
// the final instruction and its paired gains over I0 and the professional
// prompt, updating as repeats finish; plus one row per experiment.
//
// Thread-safety: one thread (it drives a RedisClient).
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/redis/redis_client.h"

namespace bigpe::serve {

// Every campaign in this Redis, oldest first; each member's progress too.
nlohmann::ordered_json campaigns_json(RedisClient& redis, bool owner_gone);

// nullopt when this Redis does not hold the campaign.
std::optional<nlohmann::ordered_json> campaign_detail_json(RedisClient& redis, const std::string& id,
                                                           bool owner_gone);

}  // namespace bigpe::serve
