#pragma once
// The order of a parent's "Add:" items as the budget loop shows the parent
// to the instruction modifier.
//
// Why: the modifier keeps only the last six Adds and drops the oldest, which
// after a few steps are the verified good ones (docs/optimizer.md). The
// agents must stay as sim-v1 defines them, but the loop chooses what it
// feeds them: it lists the parent's Adds worst-rated first (phrase
// evidence), so the cap drops the worst. New Adds still go last. Only the
// order changes; the generator keeps each Add by its own coin, whatever
// its place. Pure function; thread-safe.
#include <map>
#include <string>

namespace bigpe::engine {

// `instruction` with its Add items sorted by effect, lowest first (stable;
// phrases without evidence count 0). Returned unchanged when it has no
// Add line or the order is already right.
std::string adds_worst_first(const std::string& instruction, const std::map<std::string, double>& effects);

}  // namespace bigpe::engine
