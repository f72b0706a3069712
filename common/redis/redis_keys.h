#pragma once
// Every Redis key bigpe reads or writes, in one table. schemas/README.md
// and docs/design.md describe what each holds; the writers and readers
// named here build their keys only through these functions.
//
//   bigpe:result:<key>          render result record (ResultCache; SET NX)
//   bigpe:image:<image key>     image record, apart from its scores (ResultCache; SET NX)
//   bigpe:stats:renders         hash worker_id -> images rendered (ResultCache)
//   bigpe:stats:stored          records stored by SET NX (ResultCache)
//   bigpe:stats:duplicates      records refused by SET NX (ResultCache)
//   bigpe:llm:<hex>             cached LLM reply (CachedLlmClient)
//   bigpe:experiments           sorted set of experiment ids by start time
//   bigpe:exp:<id>:<part>       one experiment's meta, state, records, events (StateStore)
//   bigpe:campaigns             sorted set of campaign ids by start time
//   bigpe:campaign:<id>         one campaign's hash (CampaignStore)
//   bigpe:eval:<id>             a stored `bigpe eval` study
#include <string>

namespace bigpe::redis_keys {

inline std::string result(const std::string& key) { return "bigpe:result:" + key; }
inline std::string image(const std::string& image_key) { return "bigpe:image:" + image_key; }
inline constexpr const char* kStatsRenders = "bigpe:stats:renders";
inline constexpr const char* kStatsStored = "bigpe:stats:stored";
inline constexpr const char* kStatsDuplicates = "bigpe:stats:duplicates";
inline std::string llm(const std::string& hex) { return "bigpe:llm:" + hex; }
inline constexpr const char* kExperiments = "bigpe:experiments";
inline std::string experiment(const std::string& id, const std::string& part) {
  return "bigpe:exp:" + id + ":" + part;
}
inline constexpr const char* kCampaigns = "bigpe:campaigns";
inline std::string campaign(const std::string& id) { return "bigpe:campaign:" + id; }
inline std::string eval_study(const std::string& id) { return "bigpe:eval:" + id; }

}  // namespace bigpe::redis_keys
