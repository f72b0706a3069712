#pragma once
// Query sets: the pool of plain queries ("A cactus", "Farm with windmill")
// the optimizer samples batches from, and the fixed train / held-out split of
// docs/sim-v1.md section 3. Held-out queries are never used for
// training: they are the evaluation set.
//
// Thread-safety: pure functions; paper_table2_queries() returns a constant.
#include <cstddef>
#include <string>
#include <vector>

namespace bigpe {

struct QuerySplit {
  std::vector<std::string> train;    // file order
  std::vector<std::string> heldout;  // always-heldout first, then by rank
};

// held-out = the members of `always_heldout` present in `all` (in that
// list's order), then the remaining queries in ascending order of
// sha256_hex("heldout|<query>") until heldout_size are held out; train = the
// rest in `all`'s order. When always_heldout alone exceeds heldout_size all
// of them are still held out.
QuerySplit split_queries(const std::vector<std::string>& all,
                         const std::vector<std::string>& always_heldout,
                         std::size_t heldout_size = 20);

// One query per line, trimmed; blank lines and lines starting with '#' are
// skipped. Throws std::runtime_error naming the file when it cannot be read
// or holds no query, and file:line for a duplicate (with the line of the
// first occurrence) or a line that is not printable text.
std::vector<std::string> load_queries(const std::string& path);

// $BIGPE_DATA_DIR/queries.txt when BIGPE_DATA_DIR is set, else the source
// tree's experiments/data/queries.txt.
std::string default_queries_path();

// The paper's Table 2 test queries (drawn there with seed 777), in its order.
const std::vector<std::string>& paper_table2_queries();

}  // namespace bigpe
