#pragma once
// `bigpe diff RUN RUN`: what differs between two run folders.
//   config   every key whose resolved value differs (from each folder's
//            run.json), with the left and right value; a key absent on one
//            side (an older run) shows "(absent)"
//   results  from each report.json: iterations, renders, LLM calls, tokens
//            and cost, every held-out table row (mean with its 95% interval)
//            and the difference of the means (right - left)
//   final instruction   both texts, or "the same"
// A run without report.json yet (not finished) has no results; a folder
// that is not a run folder is refused naming it (a campaign folder is
// pointed to its experiments).
//
// Thread-safety: pure over files.
#include <iosfwd>
#include <string>

namespace bigpe::engine {

// Returns the exit status: 0 compared, 1 a folder is not a run folder or
// its files are unreadable.
int run_diff(const std::string& left, const std::string& right, std::ostream& out);

}  // namespace bigpe::engine
