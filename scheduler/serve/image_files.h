#pragma once
// The one rule for the images `bigpe serve` hands out: only
// <infra>/images/<experiment>/<file>.png of a known infra folder, with both
// names made of [A-Za-z0-9._-] (no "..", no separators, at most 200
// bytes), and the resolved file still inside that images/ folder (a
// symlink pointing out is refused).
//
// Thread-safety: pure functions over the file system.
#include <optional>
#include <string>
#include <vector>

namespace bigpe::serve {

bool valid_image_name(const std::string& experiment, const std::string& file);

// The file to send, or nullopt when no root holds it (or the names break
// the rule above).
std::optional<std::string> find_image_file(const std::vector<std::string>& roots, const std::string& experiment,
                                           const std::string& file);

}  // namespace bigpe::serve
