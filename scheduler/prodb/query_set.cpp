#include "scheduler/prodb/query_set.h"
#include "common/text_util.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <unordered_set>

#include "common/content_hash.h"

namespace bigpe {
namespace {

}  // namespace

QuerySplit split_queries(const std::vector<std::string>& all,
                         const std::vector<std::string>& always_heldout,
                         std::size_t heldout_size) {
  std::unordered_set<std::string> present(all.begin(), all.end());
  std::unordered_set<std::string> held;
  QuerySplit split;
  for (const auto& q : always_heldout) {
    if (present.count(q) && held.insert(q).second) split.heldout.push_back(q);
  }
  // The rest by a fixed hash rank, so the split depends only on the query
  // texts, not on their order or on any seed.
  std::vector<std::pair<std::string, std::string>> ranked;
  for (const auto& q : all)
    if (!held.count(q)) ranked.emplace_back(sha256_hex("heldout|" + q), q);
  std::sort(ranked.begin(), ranked.end());
  for (const auto& [hash, q] : ranked) {
    if (split.heldout.size() >= heldout_size) break;
    if (held.insert(q).second) split.heldout.push_back(q);
  }
  for (const auto& q : all)
    if (!held.count(q)) split.train.push_back(q);
  return split;
}

std::vector<std::string> load_queries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open query file");
  std::vector<std::string> queries;
  std::map<std::string, int> first_line;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string query = trim(line);
    if (query.empty() || query[0] == '#') continue;
    const std::string where = path + ":" + std::to_string(number);
    for (unsigned char c : query)
      if (c < 0x20 || c == 0x7f)
        throw std::runtime_error(where + ": query contains a control character");
    const auto [it, inserted] = first_line.emplace(query, number);
    if (!inserted)
      throw std::runtime_error(where + ": duplicate query '" + query + "' (first at line " +
                               std::to_string(it->second) + ")");
    queries.push_back(query);
  }
  if (in.bad()) throw std::runtime_error(path + ": read error");
  if (queries.empty()) throw std::runtime_error(path + ": holds no query");
  return queries;
}

std::string default_queries_path() {
  if (const char* dir = std::getenv("BIGPE_DATA_DIR"); dir != nullptr && *dir != '\0')
    return std::string(dir) + "/queries.txt";
  return std::string(BIGPE_SOURCE_DIR) + "/experiments/data/queries.txt";
}

const std::vector<std::string>& paper_table2_queries() {
  static const std::vector<std::string> kQueries = {
      "A cactus",           "City with parade",       "A gothic cathedral",
      "Park with children playing", "A steam locomotive", "A lava flow",
      "Space with asteroids", "Pyramid with mummies",  "An icy tundra",
      "Mansion with haunted spirits"};
  return kQueries;
}

}  // namespace bigpe
