#pragma once
// Expands a campaign spec into its experiments: variants x repeats, in
// variant-major order. Each experiment's config is the base file, then the
// campaign's `set`, then the variant's `set`, then the repeat's seed and
// taste, with `name` = the variant. Repeat k of every variant has the same
// seed and taste, so variants are compared paired on (seed, taste).
//
// Thread-safety: pure function.
#include <string>
#include <vector>

#include "common/config.h"
#include "scheduler/campaign/campaign_spec.h"

namespace bigpe::engine {

struct CampaignCell {
  std::string variant;
  int repeat = 0;
  std::string name;  // "<variant>.r<repeat>": folder name and id suffix
  Config config;
};

// Throws ConfigError naming file:line:key for a key the experiment schema
// does not know, a bad value, or a key a variant may not change.
std::vector<CampaignCell> expand_campaign(const CampaignSpec& spec);

// Keys one infrastructure fixes for every experiment of a campaign.
bool is_campaign_shared_key(const std::string& key);

}  // namespace bigpe::engine
