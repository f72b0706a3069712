#pragma once
// `bigpe ls [DIR]`: one row per run folder and per campaign folder in DIR
// (default runs/; DIR may also be one run or campaign folder), in folder
// name order (oldest first within a name), with its kind, status, progress, renders and, once finished, the
// held-out gain over I0 with its 95% interval; a campaign's row is followed
// by one row per variant (finished repeats and the gain over I0 as the
// campaign's tables print it). Ids are never cut.
//
// Status, from the folder's run lock and its stored state:
//   running               a process holds the folder's lock and runs it
//   in use                the lock is held but no services are published
//                         (starting up, or another command reads it)
//   finished              done; its report is written
//   stopped, resumable    stopped with a reason (printed below the row)
//   killed, resumable     recorded as running but nobody holds the lock
//   failed                the folder never recorded its experiment (it
//                         stopped before: see its console.log)
//   unreadable            its files or Redis could not be read (why below)
// A folder nobody runs is read through its private redis-server, started
// for the moment (store_access.h), so listing takes a moment per folder.
//
// Thread-safety: call from one thread.
#include <iosfwd>
#include <string>

namespace bigpe::engine {

// Returns the exit status: 0 listed (also when DIR holds no runs), 1 DIR
// is not a folder.
int run_listing(const std::string& dir, std::ostream& out);

}  // namespace bigpe::engine
