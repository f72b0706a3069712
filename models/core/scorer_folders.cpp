#include "models/core/scorer_folders.h"

#include <algorithm>
#include <stdexcept>

#include "models/core/model_manifest.h"

namespace bigpe::models {
namespace {

struct Folder {
  std::string dir;
  std::string family;
  bool scorer = false;  // of a scorer family
};

std::string with_article(const std::string& word) {
  const bool vowel = !word.empty() && std::string("aeiou").find(word[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + word;
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

bool is_scorer_name(const std::string& name) {
  const std::vector<std::string>& names = scorer_family_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Every folder's family; a manifest that cannot be read throws, naming it.
std::vector<Folder> read_folders(const std::vector<std::string>& dirs) {
  std::vector<Folder> out;
  for (const std::string& dir : dirs) {
    const ModelManifest m = load_manifest(dir);
    out.push_back({dir, family_name(m.family), is_scorer(m.family)});
  }
  return out;
}

// A folder of no scorer family, and two folders of one family.
std::vector<std::string> folder_problems(const std::vector<Folder>& folders, const ScorerFolderSource& source) {
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < folders.size(); ++i) {
    const Folder& f = folders[i];
    if (!f.scorer) {
      problems.push_back(source.folders + " " + f.dir + " holds " + with_article(f.family) + " model, not a scorer's (" +
                         joined(scorer_family_names(), ", ") + ")");
      continue;
    }
    for (std::size_t j = 0; j < i; ++j)
      if (folders[j].family == f.family)
        problems.push_back(source.folders + " " + folders[j].dir + " and " + f.dir + " are both " + f.family +
                           " folders; give one folder per scorer");
  }
  return problems;
}

void throw_if_any(const std::vector<std::string>& problems) {
  if (!problems.empty()) throw std::invalid_argument(joined(problems, "; "));
}

}  // namespace

std::vector<std::string> scorers_of_folders(const std::vector<std::string>& dirs, const ScorerFolderSource& source) {
  const std::vector<Folder> folders = read_folders(dirs);
  throw_if_any(folder_problems(folders, source));
  std::vector<std::string> scorers;
  for (const Folder& f : folders) scorers.push_back(f.family);
  return scorers;
}

std::vector<std::string> scorer_folders(const std::vector<std::string>& scorers, const std::vector<std::string>& dirs,
                                        const ScorerFolderSource& source) {
  std::vector<std::string> assigned(scorers.size());
  if (dirs.empty()) return assigned;
  const std::vector<Folder> folders = read_folders(dirs);
  std::vector<std::string> problems = folder_problems(folders, source);
  std::vector<bool> used(folders.size(), false);
  std::vector<std::string> given;  // "DIR (family)", for a scorer left without one
  for (const Folder& f : folders) given.push_back(f.dir + " (" + f.family + ")");
  for (std::size_t i = 0; i < scorers.size(); ++i) {
    if (!is_scorer_name(scorers[i])) continue;
    for (std::size_t k = 0; k < folders.size() && assigned[i].empty(); ++k)
      if (folders[k].family == scorers[i]) {
        assigned[i] = folders[k].dir;
        used[k] = true;
      }
    if (assigned[i].empty())
      problems.push_back("scorer " + scorers[i] + " (" + source.scorers + ") has no " + source.folders +
                         " folder of its family; the folders given are " + joined(given, ", "));
  }
  auto repeats_a_family = [&](std::size_t k) {  // already named as two of one family
    for (std::size_t j = 0; j < k; ++j)
      if (folders[j].family == folders[k].family) return true;
    return false;
  };
  for (std::size_t k = 0; k < folders.size(); ++k)
    if (folders[k].scorer && !used[k] && !repeats_a_family(k))
      problems.push_back(source.folders + " " + folders[k].dir + " (" + with_article(folders[k].family) +
                         " folder) serves no scorer of " + source.scorers + " " + joined(scorers, ",") + ": add " +
                         folders[k].family + " there or leave the folder out");
  throw_if_any(problems);
  return assigned;
}

}  // namespace bigpe::models
