#pragma once
// Which model folder each libtorch scorer of a worker loads, when a worker
// is given several (`bigpe worker --scorer-model A --scorer-model B`, or
// `score.model: A,B` for local workers; docs/models.md "Several scorers"):
// each folder's manifest family (hpsv2, pickscore, aesthetic) says which
// scorer it serves. Manifests only: nothing here loads a module, so the
// run's config check and the worker's start share these rules.
//
// Thread-safety: reentrant.
#include <string>
#include <vector>

namespace bigpe::models {

// What the folders and the scorer list are called where they were given,
// so that an error names the flag (the defaults) or the config key.
struct ScorerFolderSource {
  std::string folders = "--scorer-model";
  std::string scorers = "--scorer";
};

// The scorers `dirs` serve when no scorer list is given: each folder's
// family, in the order given. Throws std::runtime_error naming the
// manifest that cannot be read, std::invalid_argument for a folder of no
// scorer family or two folders of one family.
std::vector<std::string> scorers_of_folders(const std::vector<std::string>& dirs,
                                            const ScorerFolderSource& source = {});

// The folder each of `scorers` loads, in order: "" for a scorer that is no
// libtorch one (sim, sim-judge), else the folder among `dirs` whose family
// is the scorer's name. std::invalid_argument, naming every problem at once
// (each folder, its family, the flag): a libtorch scorer with no folder of
// its family, two folders of one family, a folder of no scorer family, a
// folder no scorer uses. std::runtime_error for a manifest that cannot be
// read. With no `dirs`, every entry is "" (the scorer says it needs one).
std::vector<std::string> scorer_folders(const std::vector<std::string>& scorers,
                                        const std::vector<std::string>& dirs,
                                        const ScorerFolderSource& source = {});

}  // namespace bigpe::models
