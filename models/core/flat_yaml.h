#pragma once
// A YAML subset for model manifests, read without yaml-cpp (so the
// models-only build needs no -dev packages): block maps nested by
// indentation, scalar values (plain, "double" or 'single' quoted), `#`
// comments and blank lines. Sequences, anchors, flow collections and
// multi-line scalars are rejected with the line number. The result is flat:
// nested keys joined with '.' ("scheduler.prediction").
//
// Thread-safety: reentrant.
#include <map>
#include <string>

namespace bigpe::models {

struct FlatYamlValue {
  std::string value;
  int line = 0;
};

// Parses `text`; `origin` (a path) prefixes every error, which is a
// std::runtime_error "origin:line: what was expected".
std::map<std::string, FlatYamlValue> parse_flat_yaml(const std::string& text, const std::string& origin);

}  // namespace bigpe::models
